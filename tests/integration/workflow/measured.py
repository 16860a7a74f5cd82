"""measured.py - the timeline of a rendered video measured from the video itself, for checking
the chapters yaa writes into the uploaded description (python3 stdlib + ffmpeg/ffprobe).

yaa computes chapters from its own bookkeeping (media_generator's segment lengths and
media_editor's narration offset); a test that rebuilt the expected starts from the same numbers
could not fail. Here the section starts come from the audio of video.mp4: the narration of each
section is a separate recording, so the video is silent for a moment at every join, and the
end of that silence (ffmpeg silencedetect) is where the next section's voice begins.
"""
import re
import subprocess

# How far a chapter stamp may sit from where its section's voice begins: YouTube stamps are
# whole seconds (0.5 s of rounding) plus the recording's own lead-in silence.
TOLERANCE = 0.75
STAMP = re.compile(r"^((?:\d+:)?\d{1,2}:\d{2})\s+(\S.*)$")


def duration(video):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "default=nw=1:nk=1", video], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def silences(video, noise_db=-40, min_gap=0.15):
    """[(end, length)] of the silent stretches of the video's sound, the end of the video
    excluded: where speech resumes and after how long a pause."""
    err = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", video, "-vn",
                          "-af", "silencedetect=noise=%ddB:d=%s" % (noise_db, min_gap), "-f",
                          "null", "-"], capture_output=True, text=True, check=True).stderr
    found = re.findall(r"silence_end: ([\d.]+) \| silence_duration: ([\d.]+)", err)
    total = duration(video)
    return [(float(e), float(d)) for e, d in found if float(e) < total - 0.5]


def section_starts(video, nsections):
    """The start of each of nsections sections: 0 for the first, then where the voice resumes
    after each join. A join is the longest kind of pause (the end of one recording's trailing
    silence and the next one's lead-in), so the nsections - 1 longest pauses are the joins.
    Fails (AssertionError) when there are fewer pauses than joins."""
    gaps = silences(video)
    if len(gaps) < nsections - 1:
        raise AssertionError("found %d pauses in %s for %d sections: %s"
                             % (len(gaps), video, nsections, gaps))
    joins = sorted(sorted(gaps, key=lambda g: -g[1])[:nsections - 1])
    return [0.0] + [end for end, _ in joins]


def stamp_seconds(stamp):
    s = 0
    for part in stamp.split(":"):
        s = s * 60 + int(part)
    return s


def description_chapters(description):
    """[(seconds, title)] of the chapter lines of a description, in order."""
    out = []
    for line in description.splitlines():
        m = STAMP.match(line.strip())
        if m:
            out.append((stamp_seconds(m.group(1)), m.group(2).strip()))
    return out


def chapter_errors(chapters, headings, starts, video_duration):
    """What is wrong with chapters [(seconds, title)] against the measured section starts
    (starts[i] is where headings[i] begins); [] when they follow YouTube's rules and each
    chapter after 0:00 is within TOLERANCE of its own section's start."""
    headings = [" ".join(h.replace("<", "").replace(">", "").split()) for h in headings]
    errs = []
    if len(chapters) < 3:
        errs.append("fewer than three chapters: %r" % (chapters,))
    if chapters and chapters[0][0] != 0:
        errs.append("the first chapter is at %ss, not 0:00" % chapters[0][0])
    for (a, _), (b, title) in zip(chapters, chapters[1:]):
        if b - a < 10:
            errs.append("%r starts %ss after the one before (YouTube wants >= 10 s)"
                        % (title, b - a))
    for at, title in chapters:
        if at >= video_duration:
            errs.append("%r at %ss is past the end of the video (%.2fs)"
                        % (title, at, video_duration))
    if chapters and video_duration - chapters[-1][0] < 10:
        errs.append("the last chapter runs %.2fs (YouTube wants >= 10 s)"
                    % (video_duration - chapters[-1][0]))
    for at, title in chapters[1:]:
        if title not in headings:
            errs.append("%r is not a section heading" % title)
            continue
        real = starts[headings.index(title)]
        if abs(at - real) > TOLERANCE:
            errs.append("%r at %ss but its section starts at %.2fs in the video"
                        % (title, at, real))
    return errs


def estimated_chapters(script):
    """The chapters a publisher would write from the script's estimated durations (what
    yaa did before it measured), every section kept: the counter-example the check must
    refuse."""
    out, t = [], 0.0
    for s in script["sections"]:
        out.append((int(round(t)), s["heading"]))
        t += s["duration_seconds"]
    return out
