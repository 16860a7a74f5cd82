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
    {"brand.name", "brand name, channel name, what we are called, what we call ourselves",
     "브랜드 이름, 채널 이름, 채널명, 이름, 부르는 이름"},
    {"brand.tagline",
     "tagline, slogan, motto, catchphrase, one-line promise, catch line, strapline, tag line, "
     "signature phrase",
     "슬로건, 태그라인, 캐치프레이즈, 한 줄 소개, 모토, 구호, 표어, 대표 문구, 한마디"},
    {"brand.positioning",
     "positioning, niche, what makes us different, angle, focus, market position, what the "
     "channel is about, concept, elevator pitch, in one sentence",
     "포지셔닝, 차별점, 방향, 콘셉트, 전문 분야, 시장에서의 위치, 어떤 채널, 채널 정체성, 한 문장"},
    {"brand.values",
     "values, principles, what we stand for, beliefs, mission, ethics, promises, standards, "
     "commitments, policy, core rules, honesty, transparency",
     "가치, 원칙, 신념, 철학, 사명, 약속, 기준, 중요하게 여기는 것, 지키는 것, 소신, 정직, 투명"},
    {"target_audience",
     "target audience, viewers, who we make videos for, people watching, audience",
     "타깃, 시청자, 대상, 구독자, 보는 사람, 시청층"},
    {"target_audience.primary",
     "main audience, core viewers, who watches, age, demographic, who the videos are for, "
     "typical viewer, who we speak to, for whom",
     "주 시청자, 핵심 시청자, 연령대, 누가 보는지, 대상층, 주 시청층, 주로 보는 사람, 누구를 위한, "
     "타깃층, 나이대"},
    {"target_audience.pain_points",
     "pain points, problems, frustrations, struggles, worries, complaints, what bothers viewers, "
     "difficulties, obstacles, fears, stuck, give up, trouble, hard part",
     "고민, 불편, 문제, 어려움, 걱정, 불만, 답답함, 시청자가 힘들어하는 것, 애로, 막막함, 두려움, "
     "포기, 골치, 스트레스, 힘든 점"},
    {"target_audience.content_needs",
     "content needs, what viewers want, requests, video ideas, topics they look for, wishes, "
     "asked for, demand, tutorials wanted, what to make next",
     "원하는 콘텐츠, 니즈, 요청, 바라는 것, 보고 싶은 영상, 주제, 아이디어, 수요, 궁금해하는 것, "
     "다음 영상"},
    {"tone_and_manner", "tone, manner, voice, how we talk, style of speaking",
     "톤앤매너, 어조, 말투, 분위기, 말하는 방식"},
    {"tone_and_manner.personality",
     "personality, character, persona, attitude, who the host is like, host, presenter, "
     "what kind of person, vibe",
     "성격, 개성, 캐릭터, 페르소나, 태도, 진행자 이미지, 진행자, 어떤 사람, 이미지, 인물"},
    {"tone_and_manner.formality",
     "formality, formal or casual, politeness, register, how polite, stiff, relaxed",
     "격식, 존댓말, 반말, 공손함, 말의 높임, 말투, 딱딱함, 편한 말, 높임말"},
    {"tone_and_manner.emotion",
     "emotion, feeling, mood, energy, warmth, atmosphere, vibe, excitement",
     "감정, 분위기, 에너지, 느낌, 온도, 감성, 텐션"},
    {"tone_and_manner.humor_level",
     "humor, humour, jokes, funny, playful, wit, joke around, laugh, comedy, silly, lighthearted",
     "유머, 농담, 웃음, 재미, 장난, 웃기다, 개그, 드립, 웃긴, 익살"},
    {"tone_and_manner.writing_style", "writing style, how scripts are written, script, wording",
     "문체, 글쓰기, 대본 스타일, 대본, 원고"},
    {"tone_and_manner.writing_style.sentence_length",
     "sentence length, short or long sentences, how long lines are",
     "문장 길이, 짧은 문장, 긴 문장, 문장"},
    {"tone_and_manner.writing_style.vocabulary",
     "vocabulary, word choice, jargon, technical terms, wording, language level, terminology, "
     "difficult words, explain terms",
     "어휘, 용어, 전문 용어, 단어 선택, 표현, 말의 수준, 어려운 말, 어려운 단어, 쉬운 말, 풀어서"},
    {"tone_and_manner.writing_style.call_to_action",
     "call to action, cta, ask viewers, subscribe, comment, like, ending request, end of the "
     "video, last line, closing ask, invite, encourage",
     "행동 유도, 구독 요청, 댓글 요청, 좋아요, 마지막 부탁, 영상 끝, 마지막 멘트, 마무리, 요청, "
     "권유, 당부"},
    {"tone_and_manner.do",
     "do, should, always, rules, guidelines, must, recommended, best practice, have to, "
     "required, include, make sure",
     "해야 할 것, 규칙, 원칙, 지침, 권장, 반드시, 항상, 꼭, 넣어야, 필수, 챙길 것"},
    {"tone_and_manner.dont",
     "don't, avoid, never, forbidden, banned, off-limits, not allowed, ok, taboo, mistakes, "
     "prohibited, unacceptable, allowed, fine, can i, is it ok, acceptable, okay",
     "하지 말 것, 금지, 피해야, 삼가, 안 되는, 조심, 주의, 절대, 실수, 괜찮은지, 허용 안 됨, "
     "해도 되는지, 괜찮을까, 허용, 가능한지"},
    {"voice_design",
     "voice, narration, narrator, how it sounds, speaking, voiceover, voice over, sound",
     "목소리, 음성, 내레이션, 성우, 말소리, 더빙, 나레이션"},
    {"voice_design.narration_style",
     "narration style, delivery, how the narrator speaks, pacing, voiceover tone, feel of the "
     "voice",
     "내레이션 스타일, 전달 방식, 말하는 방식, 호흡, 목소리 느낌, 목소리 톤"},
    {"voice_design.elevenlabs_voice_id", "voice id, synthetic voice, tts voice",
     "음성 아이디, 합성 음성"},
    {"voice_design.speech_rate",
     "speech rate, speed, pace, how fast we talk, tempo, talk fast, talk slow, quickly",
     "말하기 속도, 말 빠르기, 템포, 속도, 빠르게, 천천히, 말 속도"},
    {"voice_design.pitch", "pitch, voice height, low or high voice",
     "음높이, 목소리 높낮이, 톤 높이"},
    {"voice_design.language", "language, locale, spoken language", "언어, 사용 언어"},
    {"voice_design.reference_samples", "reference samples, example recordings, voice examples",
     "참고 샘플, 예시 녹음, 참고 음성"},
    {"visual_identity", "visual identity, look, design, visuals, appearance, branding, graphics",
     "비주얼, 시각 디자인, 외형, 디자인, 보이는 모습, 그래픽"},
    {"visual_identity.color_palette",
     "colors, colours, colour scheme, palette, brand colors, hex codes, shades, hues, tints, "
     "color",
     "색상, 색깔, 컬러, 팔레트, 색, 배색, 브랜드 컬러, 대표 색, 색감"},
    {"visual_identity.thumbnail_style",
     "thumbnail, cover image, preview picture, thumbnail design, click image, video cover, "
     "thumbnail picture, what the thumbnail shows",
     "썸네일, 섬네일, 표지 이미지, 미리보기 이미지, 대표 이미지, 표지, 커버"},
    {"visual_identity.font_preference",
     "font, typeface, lettering, typography, text style, letters, type",
     "글꼴, 폰트, 서체, 글씨체, 글자 모양, 글씨, 글자체"},
    {"competitors",
     "competitors, rivals, other channels, competition, similar creators, other youtubers, "
     "compared with",
     "경쟁, 경쟁자, 경쟁 채널, 다른 채널, 비슷한 크리에이터, 다른 유튜버, 비교"},
    {"competitors.channel", "competitor name, rival channel", "경쟁 채널 이름"},
    {"competitors.strengths", "strengths, what they do well, advantages, good at",
     "강점, 장점, 잘하는 것, 뛰어난 점"},
    {"competitors.differentiation",
     "differentiation, how we differ, unlike them, what sets us apart, our edge, different "
     "from, versus, instead",
     "차별화, 차이점, 다른 점, 우리만의 강점, 그들과 달리, 차별점, 뭐가 달라, 대신"},
    /* ---- config.yaml ---- */
    {"channel", "channel, youtube channel", "채널, 유튜브 채널"},
    {"channel.name", "channel name, title", "채널 이름, 채널명"},
    {"channel.youtube_channel_id", "youtube channel id", "유튜브 채널 아이디"},
    {"channel.category", "category, genre, topic area, field", "카테고리, 분야, 장르, 주제"},
    {"channel.language", "language, locale", "언어"},
    {"channel.description",
     "description, about, channel introduction, summary, what the channel is",
     "설명, 소개, 채널 소개, 요약, 어떤 채널"},
    {"seo", "seo, search, discoverability, ranking", "검색 최적화, 검색, 노출"},
    {"seo.primary_keywords",
     "main keywords, search terms, tags, what people search for, rank for, search queries",
     "주요 키워드, 검색어, 태그, 핵심 키워드, 검색 노출, 키워드"},
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
