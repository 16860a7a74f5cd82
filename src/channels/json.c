/* json.c - a loaded channel as JSON: the whole thing (same shape as the YAML files, for
 * `yaa channels show --json` and agents' prompts) and the contract's ChannelInfo. */
#include "channels/channels.h"

#include <jansson.h>

static json_t *strlist(const yaa_strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++) json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static json_t *str(const char *s) { return json_string(s ? s : ""); }

void *yaa_channels_to_json(const yaa_channel *ch) {
    json_t *budget = json_object();
    if (ch->budget.has_monthly_usd)
        json_object_set_new(budget, "monthly_usd", json_real(ch->budget.monthly_usd));
    if (ch->budget.has_per_run_usd)
        json_object_set_new(budget, "per_run_usd", json_real(ch->budget.per_run_usd));

    json_t *config = json_pack(
        "{s:{s:o,s:o,s:o,s:o,s:o},s:{s:o,s:o},s:{s:o,s:o,s:o,s:f},s:o,s:{s:o,s:o,s:o}}", "channel",
        "name", str(ch->channel.name), "youtube_channel_id", str(ch->channel.youtube_channel_id),
        "category", str(ch->channel.category), "language", str(ch->channel.language), "description",
        str(ch->channel.description), "seo", "primary_keywords", strlist(&ch->seo.primary_keywords),
        "secondary_keywords", strlist(&ch->seo.secondary_keywords), "editing", "intro_template",
        str(ch->editing.intro_template), "outro_template", str(ch->editing.outro_template),
        "subtitle_style", str(ch->editing.subtitle_style), "bgm_volume", ch->editing.bgm_volume,
        "budget", budget, "publishing", "review", str(ch->publishing.review), "privacy",
        str(ch->publishing.privacy), "playlist_id", str(ch->publishing.playlist_id));

    json_t *guide = json_null();
    if (ch->has_brand_guide) {
        const yaa_tone *t = &ch->tone_and_manner;
        const yaa_voice_design *v = &ch->voice_design;
        json_t *competitors = json_array();
        for (size_t i = 0; i < ch->n_competitors; i++)
            json_array_append_new(
                competitors, json_pack("{s:o,s:o,s:o}", "channel", str(ch->competitors[i].channel),
                                       "strengths", strlist(&ch->competitors[i].strengths),
                                       "differentiation", str(ch->competitors[i].differentiation)));
        guide = json_pack(
            "{s:{s:o,s:o,s:o,s:o},s:{s:o,s:o,s:o},"
            "s:{s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o},s:o,s:o},"
            "s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:f,s:f},s:{s:o,s:o,s:o},s:o}",
            "brand", "name", str(ch->brand.name), "tagline", str(ch->brand.tagline), "positioning",
            str(ch->brand.positioning), "values", strlist(&ch->brand.values), "target_audience",
            "primary", str(ch->target_audience.primary), "pain_points",
            strlist(&ch->target_audience.pain_points), "content_needs",
            strlist(&ch->target_audience.content_needs), "tone_and_manner", "personality",
            str(t->personality), "formality", str(t->formality), "emotion", str(t->emotion),
            "humor_level", str(t->humor_level), "writing_style", "sentence_length",
            str(t->writing_style.sentence_length), "vocabulary", str(t->writing_style.vocabulary),
            "call_to_action", str(t->writing_style.call_to_action), "do", strlist(&t->do_rules),
            "dont", strlist(&t->dont_rules), "voice_design", "narration_style",
            str(v->narration_style), "elevenlabs_voice_id", str(v->elevenlabs_voice_id), "voice",
            str(v->voice), "speech_rate", str(v->speech_rate), "pitch", str(v->pitch), "language",
            str(v->language), "reference_samples", strlist(&v->reference_samples),
            "speech_rate_factor", v->speech_rate_factor, "pitch_semitones", v->pitch_semitones,
            "visual_identity", "color_palette", strlist(&ch->visual_identity.color_palette),
            "thumbnail_style", str(ch->visual_identity.thumbnail_style), "font_preference",
            str(ch->visual_identity.font_preference), "competitors", competitors);
    }

    json_t *problems = json_array();
    for (size_t i = 0; i < ch->n_problems; i++) {
        const yaa_channel_problem *p = &ch->problems[i];
        json_array_append_new(problems, json_pack("{s:s,s:i,s:s}", "file", p->file, "line", p->line,
                                                  "message", p->msg));
    }
    json_t *o = json_pack("{s:o,s:b,s:o,s:o,s:o}", "channel_id", str(ch->id), "has_brand_guide",
                          ch->has_brand_guide, "config", config, "brand_guide", guide, "problems",
                          problems);
    return o;
}

void *yaa_channels_info_json(const yaa_channel *ch) {
    return json_pack("{s:o,s:o,s:o,s:b,s:o,s:o}", "channel_id", str(ch->id), "name",
                     str(ch->channel.name), "category", str(ch->channel.category),
                     "has_brand_guide", ch->has_brand_guide, "description",
                     str(ch->channel.description), "language", str(ch->channel.language));
}
