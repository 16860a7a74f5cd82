#!/usr/bin/env bash
# bench/media/run.sh - seconds of render per minute of video for yaa's composition, and the
# ratio to ffmpeg re-encoding yaa's output video with the same encoder settings (the encoder's
# own cost for the same moving frames: yaa's render CPU must not exceed it).
#
#   bench/media/run.sh [--sections N] [--runs N] [--only REGEX] [--write]
#                      (default 6 sections, about 50 s of video; 1 run of every case)
#
# With --runs N every case is rendered and re-encoded N times, one after the other, and the
# table shows the median of each figure: on a shared machine one run carries about +-0.08 of
# noise in the ratio.
# Needs `make build`. --write replaces docs/benchmarks/media.md with the figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECTIONS=6
RUNS=1
ONLY=
WRITE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sections) SECTIONS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;; # the cases whose name matches (grep -E)
    --write) WRITE=1; shift ;;
    *) echo "usage: $0 [--sections N] [--runs N] [--only REGEX] [--write]" >&2; exit 2 ;;
  esac
done
BIN=build/bench/media_bench
[ -x "$BIN" ] || { echo "run 'make build' first ($BIN missing)" >&2; exit 1; }
OUT=$(mktemp -d /tmp/yaa-media-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
RESULTS="$OUT/results.jsonl"

# baseline DIR FPS PRESET: ffmpeg re-encoding yaa's own output with the same encoder settings
# (decode + the same x264/AAC encode, no filters): the encoder's cost for exactly these
# frames. yaa's render must cost no more CPU than this.
baseline() {
  local dir="$1" fps="$2" preset="$3"
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$dir/baseline.cpu" \
    ffmpeg -nostdin -v error -y -i "$dir/video.mp4" -map 0:v -map 0:a \
      -c:v libx264 -preset "$preset" -crf 23 -pix_fmt yuv420p -r "$fps" \
      -c:a aac -b:a 160k -ar 44100 -threads 2 -movflags +faststart "$dir/baseline.mp4"
  t1=$(date +%s.%N)
  python3 -c "import sys; u,s=open('$dir/baseline.cpu').read().split()[:2]; print(f'{$t1-$t0:.3f} {float(u)+float(s):.3f}')"
}

# floor DIR FPS PRESET: the CPU any renderer of this footage video pays before composing a
# single frame, in seconds: decoding the clip spans yaa decoded (each input's options and its
# filters up to the shot's trim - the rate, the crop and, for a Short from landscape clips, the
# enlargement to fill 9:16 - taken from yaa's own command, all in one ffmpeg process as in
# yaa's render) plus encoding yaa's output frames, read raw from a pipe, with the same
# settings (less the pipe's own reading, measured alone). yaa's render minus this is what
# its composition costs: the cards, titles, transitions, lower thirds and captions.
floor() {
  local dir="$1" fps="$2" preset="$3" t
  local -a src
  mapfile -d '' src < <(python3 - "$dir.log" <<'PY'
import json, re, shlex, sys
ev = next(e for e in map(json.loads, open(sys.argv[1])) if e.get("msg") == "ffmpeg command")
argv, graph = shlex.split(ev["command"]), ev["graph"]
inputs, opts, i = [], [], argv.index("-y") + 1
while i < len(argv) and argv[i] != "-filter_complex":
    if argv[i] == "-i":
        inputs.append((opts, argv[i + 1])); opts = []; i += 2
    else:
        opts.append(argv[i]); i += 1
out, chains = ["ffmpeg", "-nostdin", "-v", "error"], []
for k, (o, path) in enumerate(inputs):
    m = re.search(r"(?:^|;)\[%d:v\]([^;\[]*?trim=end_frame=\d+)" % k, graph)
    if m:
        out += o + ["-i", path]
        chains.append(m.group(1))
out += ["-filter_complex_threads", "2", "-filter_complex",
        ";".join("[%d:v]%s[s%d]" % (n, c, n) for n, c in enumerate(chains))]
for n in range(len(chains)):
    out += ["-map", "[s%d]" % n, "-f", "null", "-"]
sys.stdout.write("\0".join(out))
PY
)
  sleep "$PAUSE"
  /usr/bin/time -f "%U %S" -o "$dir/floor.src" "${src[@]}"
  sleep "$PAUSE"
  ffmpeg -nostdin -v error -i "$dir/video.mp4" -map 0:v -f yuv4mpegpipe -pix_fmt yuv420p - |
    /usr/bin/time -f "%U %S" -o "$dir/floor.enc" \
      ffmpeg -nostdin -v error -y -f yuv4mpegpipe -i - -i "$dir/video.mp4" -map 0:v -map 1:a \
        -c:v libx264 -preset "$preset" -crf 23 -pix_fmt yuv420p -r "$fps" \
        -c:a aac -b:a 160k -ar 44100 -threads 2 -movflags +faststart "$dir/floor.mp4"
  sleep "$PAUSE"
  ffmpeg -nostdin -v error -i "$dir/video.mp4" -map 0:v -f yuv4mpegpipe -pix_fmt yuv420p - |
    /usr/bin/time -f "%U %S" -o "$dir/floor.read" ffmpeg -nostdin -v error -f yuv4mpegpipe -i - -f null -
  python3 -c "import sys; c=lambda f: sum(map(float, open(f).read().split()[-2:])); d=sys.argv[1]; print(f'{c(d+\"/floor.src\")+c(d+\"/floor.enc\")-c(d+\"/floor.read\"):.3f}')" "$dir"
}

run() { # label, media_bench args...
  local label="$1" k; shift
  if [ -n "$ONLY" ] && ! grep -qE "$ONLY" <<<"$label"; then return 0; fi
  for k in $(seq "$RUNS"); do run_once "$label" "$k" "$@"; done
}

# Each measured process starts after the same pause. On a virtual machine the guest hands freed
# memory back to its host within about 2 s (virtio-balloon free page reporting), and the next
# process to touch it waits for the host to back it again: `perf` shows ~2.3 % of an x264
# render in clear_page_erms when it starts after a pause and ~0.2 % when it starts right after
# another render. Without the pause the re-encode, started the instant yaa's render ends, got
# its memory warm while the render (after its own 1.5 s of TTS and cards) did not.
PAUSE=3
run_once() { # label, run number, media_bench args...
  local label="$1" k="$2"; shift 2
  local dir="$OUT/$label.$k"
  sleep "$PAUSE"
  local j; j=$(MEDIA_BENCH_DEBUG=1 "$BIN" "$dir" --sections "$SECTIONS" "$@" 2>"$dir.log" | tail -1)
  local fps preset
  fps=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['fps'])" "$j")
  preset=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['preset'])" "$j")
  sleep "$PAUSE"
  read -r bwall bcpu < <(baseline "$dir" "$fps" "$preset")
  local fcpu=0
  if grep -q -- --footage <<<"$*"; then fcpu=$(floor "$dir" "$fps" "$preset"); fi
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); d.update(label=sys.argv[2], baseline_wall=float(sys.argv[3]), baseline_cpu=float(sys.argv[4]), floor_cpu=float(sys.argv[5])); print(json.dumps(d))" \
    "$j" "$label" "$bwall" "$bcpu" "$fcpu" >> "$RESULTS"
  echo "$label done (run $k)" >&2
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
run "16:9, Korean, burned subtitles" --lang ko
run "16:9, Korean, no subtitles" --lang ko --style none
run "16:9, English, soft subtitles" --lang en --style soft
run "9:16 short, Korean, burned subtitles" --lang ko --short
run "16:9, Korean, burned, preset ultrafast" --lang ko --preset ultrafast
run "16:9, footage with lower thirds, burned" --lang en --footage
run "9:16 short, landscape footage with lower thirds, burned" --lang en --footage --short
run "9:16 short, portrait footage with lower thirds, burned" --lang en --footage --portrait --short

LOAD="$LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end ($(date -u '+%Y-%m-%d %H:%M UTC'))"
python3 - "$RESULTS" "$LOAD" "$SECTIONS" "$RUNS" > "$OUT/media.md" <<'PY'
import json, sys, platform, subprocess, os, statistics
runs = [json.loads(l) for l in open(sys.argv[1])]
load, sections, nruns = sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = []  # one per case, in order: the median of each figure over its runs
for label in dict.fromkeys(r["label"] for r in runs):
    mine = [r for r in runs if r["label"] == label]
    row = dict(mine[0])
    for key, v in mine[0].items():
        if isinstance(v, float):  # the measurements (sections, fps and the like are ints)
            row[key] = statistics.median(r[key] for r in mine)
    row["cpu_ratios"] = [r["render_cpu_sec"] / r["baseline_cpu"] for r in mine]
    # the ratios are each run's own (a render and the re-encode right after it), then their
    # median: pairs cancel the machine's slow drifts that medians taken apart keep
    row["cpu_ratio"] = statistics.median(row["cpu_ratios"])
    row["wall_ratio"] = statistics.median(r["render_sec"] / r["baseline_wall"] for r in mine)
    if mine[0].get("floor_cpu"):  # footage: what decoding the clips and encoding cost alone
        row["floor_ratio"] = statistics.median(r["floor_cpu"] / r["baseline_cpu"] for r in mine)
        row["compose_ratio"] = statistics.median((r["render_cpu_sec"] - r["floor_cpu"]) / r["baseline_cpu"] for r in mine)
    rows.append(row)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ff = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
print("# Media benchmark\n")
print("`bench/media/run.sh` (driver `bench/media/media_bench.c`): "
      f"{sections} sections of local narration with cards (panned) or 1080p footage "
      "(cropped to fill, lower thirds sliding in), then the video, on the picture track a run "
      "renders (`yaa_media_shot_plan`: the title card over the first seconds; after footage, "
      "the last section's card closes). The ceiling is `ffmpeg` re-encoding yaa's output with "
      "the same encoder settings (decode + encode of the same moving frames, no filters), run "
      "after each yaa render; each of the two starts after a 3 s pause, so neither finds its "
      "memory warm from the other (see `run.sh`).\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {ff}. Load average (1, 5, 15 min): {load} "
      "(other builds were running: compare CPU seconds, which load does not inflate, "
      "before wall seconds).\n")
print("The two commands, both with the same encoder settings (`-c:v libx264 -preset P -crf 23 "
      "-pix_fmt yuv420p -r FPS -threads 2`, AAC 160 kb/s 44.1 kHz, `+faststart`; P and FPS per "
      "row):\n")
print("- **yaa**: the one `ffmpeg` process `yaa_media_compose` runs (inputs: the card PNGs and "
      "their layers, or the footage clips and lower thirds; the narration; the captions), "
      "`-filter_complex <the picture and sound track>` then the settings above. "
      "`MEDIA_BENCH_DEBUG=1 build/bench/media_bench DIR ...` logs it in full.")
print("- **re-encode**: `ffmpeg -i video.mp4 -map 0:v -map 0:a -c:v libx264 -preset P -crf 23 "
      "-pix_fmt yuv420p -r FPS -c:a aac -b:a 160k -ar 44100 -threads 2 -movflags +faststart "
      "baseline.mp4` on yaa's own output.\n")
if nruns > 1:
    print(f"Each case ran {nruns} times, one after the other; each figure is the median of its runs "
          "(the ratios: the median of each run's own ratio, its render against the re-encode "
          "right after it), and the last column lists every run's CPU ratio.\n")
print("| case | video s | media (TTS + cards) s | render wall s | render CPU s | render wall s per video min | render CPU s per video min | re-encode wall s | re-encode CPU s | ratio wall | ratio CPU | ratio CPU per run |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    print(f"| {r['label']} (`{r['preset']}`, {r['fps']} fps) | {r['video_sec']:.1f} | {r['generate_sec']:.2f} | "
          f"{r['render_sec']:.1f} | {r['render_cpu_sec']:.1f} | {r['render_sec_per_video_min']:.1f} | "
          f"{r['render_cpu_sec_per_video_min']:.1f} | {r['baseline_wall']:.1f} | {r['baseline_cpu']:.1f} | "
          f"{r['wall_ratio']:.2f} | {r['cpu_ratio']:.2f} | "
          f"{', '.join(f'{x:.2f}' for x in r['cpu_ratios'])} |")
floors = [r for r in rows if "floor_ratio" in r]
if floors:
    print("\nWith footage the re-encode leaves any renderer little room, or none: a renderer must "
          "decode its clips, where the re-encode decodes yaa's output, which is lighter when the "
          "clips carry more detail than the output keeps, and a landscape clip must be enlarged "
          "to fill a Short. "
          "The **floor** is what rendering this footage costs before composing anything: "
          "decoding the clip spans yaa decoded, with the filters each input gets up to its trim "
          "(rate, crop, the enlargement of a landscape clip to fill 9:16), in one `ffmpeg` "
          "process, plus encoding yaa's output frames read raw from a pipe with the same "
          "settings (less reading the pipe, measured alone). All figures are ratios to the "
          "re-encode's CPU; the composition is yaa's render minus the floor: the cards, titles, "
          "transitions, lower thirds and captions.\n")
    print("| case | floor | yaa | composition |")
    print("| --- | ---: | ---: | ---: |")
    for r in floors:
        print(f"| {r['label']} | {r['floor_ratio']:.2f} | {r['cpu_ratio']:.2f} | {r['compose_ratio']:+.2f} |")
print("\nRatio = yaa's render / ffmpeg re-encoding yaa's output (at most 1.00: yaa's whole "
      "render, filters included, costs no more than the encoder's own work on the same frames; "
      "the re-encode pays an H.264 decode where yaa pays its pans, crops, transitions and "
      "subtitles).\n")
PY
cat "$OUT/media.md"
if [ "$WRITE" = 1 ]; then
  mkdir -p docs/benchmarks
  cp "$OUT/media.md" docs/benchmarks/media.md
  echo "wrote docs/benchmarks/media.md" >&2
fi
