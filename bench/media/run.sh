#!/usr/bin/env bash
# bench/media/run.sh - seconds of render per minute of video for yaa's composition, and the
# ratio to a plain ffmpeg encode of the same frames and audio (the same images and WAVs
# concatenated with the concat demuxer, no filters, the same encoder settings).
#
#   bench/media/run.sh [--sections N] [--write]     (default 6 sections, about 50 s of video)
#
# Needs `make build`. --write replaces docs/benchmarks/media.md with the figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECTIONS=6
WRITE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sections) SECTIONS="$2"; shift 2 ;;
    --write) WRITE=1; shift ;;
    *) echo "usage: $0 [--sections N] [--write]" >&2; exit 2 ;;
  esac
done
BIN=build/bench/media_bench
[ -x "$BIN" ] || { echo "run 'make build' first ($BIN missing)" >&2; exit 1; }
OUT=$(mktemp -d /tmp/yaa-media-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
RESULTS="$OUT/results.jsonl"

# baseline DIR FPS PRESET W H: the same frames + audio, concat demuxer, no filters at all.
baseline() {
  local dir="$1" fps="$2" preset="$3"
  python3 - "$dir" <<'PY'
import json, subprocess, sys, os
d = sys.argv[1]
wavs = sorted(f for f in os.listdir(f"{d}/audio") if f.endswith(".wav"))
durs = []
for w in wavs:
    o = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
                        f"{d}/audio/{w}"], capture_output=True, text=True, check=True).stdout
    durs.append(float(json.loads(o)["format"]["duration"]))
with open(f"{d}/frames.txt", "w") as f:
    for i, t in enumerate(durs, 1):
        f.write(f"file 'images/{i:02d}.png'\nduration {t:.6f}\n")
    f.write(f"file 'images/{len(durs):02d}.png'\n")
with open(f"{d}/audio.txt", "w") as f:
    for w in wavs:
        f.write(f"file 'audio/{w}'\n")
with open(f"{d}/total", "w") as f:
    f.write(f"{sum(durs):.6f}")
PY
  local total; total=$(cat "$dir/total")
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$dir/baseline.cpu" \
    ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$dir/frames.txt" -f concat -safe 0 -i "$dir/audio.txt" \
      -map 0:v -map 1:a -t "$total" -c:v libx264 -preset "$preset" -crf 23 -tune stillimage \
      -pix_fmt yuv420p -r "$fps" -c:a aac -b:a 160k -ar 44100 -threads 2 -movflags +faststart \
      "$dir/baseline.mp4"
  t1=$(date +%s.%N)
  python3 -c "import sys; u,s=open('$dir/baseline.cpu').read().split()[:2]; print(f'{$t1-$t0:.3f} {float(u)+float(s):.3f}')"
}

run() { # label, media_bench args...
  local label="$1"; shift
  local dir="$OUT/$label"
  local j; j=$("$BIN" "$dir" --sections "$SECTIONS" "$@" 2>/dev/null | tail -1)
  local fps preset
  fps=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['fps'])" "$j")
  preset=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['preset'])" "$j")
  read -r bwall bcpu < <(baseline "$dir" "$fps" "$preset")
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); d.update(label=sys.argv[2], baseline_wall=float(sys.argv[3]), baseline_cpu=float(sys.argv[4])); print(json.dumps(d))" \
    "$j" "$label" "$bwall" "$bcpu" >> "$RESULTS"
  echo "$label done" >&2
}

run "16:9, Korean, burned subtitles" --lang ko
run "16:9, Korean, no subtitles" --lang ko --style none
run "16:9, English, soft subtitles" --lang en --style soft
run "9:16 short, Korean, burned subtitles" --lang ko --short
run "16:9, Korean, burned, preset ultrafast" --lang ko --preset ultrafast

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$RESULTS" "$LOAD" "$SECTIONS" > "$OUT/media.md" <<'PY'
import json, sys, platform, subprocess, os
rows = [json.loads(l) for l in open(sys.argv[1])]
load, sections = sys.argv[2], sys.argv[3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ff = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
print("# Media benchmark\n")
print("`bench/media/run.sh` (driver `bench/media/media_bench.c`): "
      f"{sections} sections of espeak-ng narration with cards, then the video. "
      "The ceiling is a plain `ffmpeg` encode of the same frames and audio (the same PNGs and WAVs "
      "through the concat demuxer, no filters, same encoder settings), run right after each yaa render.\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {ff}. Load average while measuring: {load} "
      "(other builds were running: compare CPU seconds, which load does not inflate, "
      "before wall seconds).\n")
print("| case | video s | media (TTS + cards) s | render wall s | render CPU s | render wall s per video min | render CPU s per video min | plain ffmpeg wall s | plain ffmpeg CPU s | ratio wall | ratio CPU |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    print(f"| {r['label']} (`{r['preset']}`, {r['fps']} fps) | {r['video_sec']:.1f} | {r['generate_sec']:.2f} | "
          f"{r['render_sec']:.1f} | {r['render_cpu_sec']:.1f} | {r['render_sec_per_video_min']:.1f} | "
          f"{r['render_cpu_sec_per_video_min']:.1f} | {r['baseline_wall']:.1f} | {r['baseline_cpu']:.1f} | "
          f"{r['render_sec']/r['baseline_wall']:.2f} | {r['render_cpu_sec']/r['baseline_cpu']:.2f} |")
print("\nRatio = yaa's render / the plain encode (1.00 = no overhead over the encoder itself). "
      "yaa's render adds the crossfades, burned subtitles (libass), the yuv conversion of each "
      "picture and the audio resample to 44.1 kHz stereo; the plain encode has none of them.\n")
PY
cat "$OUT/media.md"
if [ "$WRITE" = 1 ]; then
  mkdir -p docs/benchmarks
  cp "$OUT/media.md" docs/benchmarks/media.md
  echo "wrote docs/benchmarks/media.md" >&2
fi
