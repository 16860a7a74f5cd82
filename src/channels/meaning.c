/* meaning.c - what each field of the channel files means, in words people use for it, in
 * English and Korean: one table beside the schema (schema.c), keyed on the schema's field
 * paths. Brand retrieval (src/rag/chunk_yaml.c) indexes every brand-guide and config chunk
 * with the meaning of its field, so a question that names the idea ("what colours do we
 * use?", "피해야 할 표현은?") finds a field whose value never says it ("#0F172A", "'역대급'
 * 같은 과장된 표현을 쓰지 않는다").
 *
 * The words describe the field, never a channel's content: they hold for any channel. A new
 * field in schema.c gets its row here. */
#include "channels/channels.h"

#include <string.h>

static const yaa_channels_meaning meanings[] = {
    /* ---- brand_guide.yaml ---- */
    {"brand", "brand, identity, who we are, the channel itself", "브랜드, 정체성, 우리 채널"},
    {"brand.name", "brand name, channel name, what we are called",
     "브랜드 이름, 채널 이름, 채널명, 이름"},
    {"brand.tagline", "tagline, slogan, motto, catchphrase, one-line promise",
     "슬로건, 태그라인, 캐치프레이즈, 한 줄 소개, 모토"},
    {"brand.positioning",
     "positioning, niche, what makes us different, angle, focus, market position",
     "포지셔닝, 차별점, 방향, 콘셉트, 전문 분야, 시장에서의 위치"},
    {"brand.values",
     "values, principles, what we stand for, beliefs, mission, ethics, promises, standards",
     "가치, 원칙, 신념, 철학, 사명, 약속, 기준, 중요하게 여기는 것"},
    {"target_audience", "target audience, viewers, who we make videos for, people watching",
     "타깃, 시청자, 대상, 구독자, 보는 사람"},
    {"target_audience.primary", "main audience, core viewers, who watches, age, demographic",
     "주 시청자, 핵심 시청자, 연령대, 누가 보는지, 대상층"},
    {"target_audience.pain_points",
     "pain points, problems, frustrations, struggles, worries, complaints, what bothers viewers",
     "고민, 불편, 문제, 어려움, 걱정, 불만, 답답함, 시청자가 힘들어하는 것"},
    {"target_audience.content_needs",
     "content needs, what viewers want, requests, video ideas, topics they look for, wishes",
     "원하는 콘텐츠, 니즈, 요청, 바라는 것, 보고 싶은 영상, 주제, 아이디어"},
    {"tone_and_manner", "tone, manner, voice, how we talk, style of speaking",
     "톤앤매너, 어조, 말투, 분위기, 말하는 방식"},
    {"tone_and_manner.personality",
     "personality, character, persona, attitude, who the host is like",
     "성격, 개성, 캐릭터, 페르소나, 태도, 진행자 이미지"},
    {"tone_and_manner.formality", "formality, formal or casual, politeness, register",
     "격식, 존댓말, 반말, 공손함, 말의 높임"},
    {"tone_and_manner.emotion", "emotion, feeling, mood, energy, warmth",
     "감정, 분위기, 에너지, 느낌, 온도"},
    {"tone_and_manner.humor_level", "humor, humour, jokes, funny, playful, wit",
     "유머, 농담, 웃음, 재미, 장난"},
    {"tone_and_manner.writing_style", "writing style, how scripts are written",
     "문체, 글쓰기, 대본 스타일"},
    {"tone_and_manner.writing_style.sentence_length", "sentence length, short or long sentences",
     "문장 길이, 짧은 문장, 긴 문장"},
    {"tone_and_manner.writing_style.vocabulary",
     "vocabulary, word choice, jargon, technical terms, wording, language level",
     "어휘, 용어, 전문 용어, 단어 선택, 표현, 말의 수준"},
    {"tone_and_manner.writing_style.call_to_action",
     "call to action, cta, ask viewers, subscribe, comment, like, ending request",
     "행동 유도, 구독 요청, 댓글 요청, 좋아요, 마지막 부탁"},
    {"tone_and_manner.do",
     "do, should, always, rules, guidelines, must, recommended, best practice",
     "해야 할 것, 규칙, 원칙, 지침, 권장, 반드시, 항상, 꼭"},
    {"tone_and_manner.dont",
     "don't, avoid, never, forbidden, banned, off-limits, not allowed, ok, taboo, mistakes, "
     "prohibited, unacceptable",
     "하지 말 것, 금지, 피해야, 삼가, 안 되는, 조심, 주의, 절대, 실수, 괜찮은지, 허용 안 됨"},
    {"voice_design", "voice, narration, narrator, how it sounds, speaking",
     "목소리, 음성, 내레이션, 성우, 말소리"},
    {"voice_design.narration_style", "narration style, delivery, how the narrator speaks, pacing",
     "내레이션 스타일, 전달 방식, 말하는 방식, 호흡"},
    {"voice_design.elevenlabs_voice_id", "voice id, synthetic voice, tts voice",
     "음성 아이디, 합성 음성"},
    {"voice_design.speech_rate", "speech rate, speed, pace, how fast we talk, tempo",
     "말하기 속도, 말 빠르기, 템포, 속도"},
    {"voice_design.pitch", "pitch, voice height, low or high voice",
     "음높이, 목소리 높낮이, 톤 높이"},
    {"voice_design.language", "language, locale, spoken language", "언어, 사용 언어"},
    {"voice_design.reference_samples", "reference samples, example recordings, voice examples",
     "참고 샘플, 예시 녹음, 참고 음성"},
    {"visual_identity", "visual identity, look, design, visuals, appearance, branding",
     "비주얼, 시각 디자인, 외형, 디자인, 보이는 모습"},
    {"visual_identity.color_palette",
     "colors, colours, colour scheme, palette, brand colors, hex codes, shades, hues, tints",
     "색상, 색깔, 컬러, 팔레트, 색, 배색, 브랜드 컬러"},
    {"visual_identity.thumbnail_style",
     "thumbnail, cover image, preview picture, thumbnail design, click image",
     "썸네일, 표지 이미지, 미리보기 이미지, 대표 이미지"},
    {"visual_identity.font_preference", "font, typeface, lettering, typography, text style",
     "글꼴, 폰트, 서체, 글씨체, 글자 모양"},
    {"competitors", "competitors, rivals, other channels, competition, similar creators",
     "경쟁, 경쟁자, 경쟁 채널, 다른 채널, 비슷한 크리에이터"},
    {"competitors.channel", "competitor name, rival channel", "경쟁 채널 이름"},
    {"competitors.strengths", "strengths, what they do well, advantages, good at",
     "강점, 장점, 잘하는 것, 뛰어난 점"},
    {"competitors.differentiation",
     "differentiation, how we differ, unlike them, what sets us apart, our edge",
     "차별화, 차이점, 다른 점, 우리만의 강점, 그들과 달리"},
    /* ---- config.yaml ---- */
    {"channel", "channel, youtube channel", "채널, 유튜브 채널"},
    {"channel.name", "channel name, title", "채널 이름, 채널명"},
    {"channel.youtube_channel_id", "youtube channel id", "유튜브 채널 아이디"},
    {"channel.category", "category, genre, topic area, field", "카테고리, 분야, 장르, 주제"},
    {"channel.language", "language, locale", "언어"},
    {"channel.description", "description, about, channel introduction, summary",
     "설명, 소개, 채널 소개, 요약"},
    {"seo", "seo, search, discoverability, ranking", "검색 최적화, 검색, 노출"},
    {"seo.primary_keywords", "main keywords, search terms, tags, what people search for",
     "주요 키워드, 검색어, 태그, 핵심 키워드"},
    {"seo.secondary_keywords", "secondary keywords, extra search terms, related tags",
     "보조 키워드, 추가 검색어, 관련 태그"},
    {"editing", "editing, video edit, post-production", "편집, 영상 편집, 후반 작업"},
    {"editing.intro_template", "intro, opening, how videos start, first words",
     "인트로, 오프닝, 시작 멘트, 첫 인사"},
    {"editing.outro_template", "outro, ending, closing, sign-off, how videos end",
     "아웃트로, 마무리, 끝인사, 클로징, 마지막 멘트"},
    {"editing.subtitle_style", "subtitles, captions, on-screen text style",
     "자막, 자막 스타일, 캡션"},
    {"editing.bgm_volume", "background music volume, bgm, music loudness",
     "배경음악 볼륨, 배경음악, 음악 크기"},
    {"budget", "budget, spending limit, cost, money", "예산, 비용, 지출 한도"},
    {"budget.monthly_usd", "monthly budget, spend per month", "월 예산, 한 달 비용"},
    {"budget.per_run_usd", "budget per video, cost per run", "영상당 예산, 회당 비용"},
    {"publishing", "publishing, upload, release", "게시, 업로드, 공개"},
    {"publishing.review", "review, approval before publishing", "검토, 게시 전 승인"},
    {"publishing.privacy", "privacy, public, unlisted, private visibility",
     "공개 범위, 공개, 비공개"},
    {"publishing.playlist_id", "playlist", "재생목록"},
};

const yaa_channels_meaning *yaa_channels_field_meaning(const char *path) {
    if (!path) return NULL;
    for (size_t i = 0; i < sizeof meanings / sizeof meanings[0]; i++)
        if (strcmp(meanings[i].path, path) == 0) return &meanings[i];
    return NULL;
}

const yaa_channels_meaning *yaa_channels_field_meanings(size_t *n) {
    *n = sizeof meanings / sizeof meanings[0];
    return meanings;
}
