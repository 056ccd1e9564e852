"""What a partial bench run (scripts/bench.sh --only PART) shares: reading its raw lines, and putting
its figures into bench/results.json and its section into docs/benchmarks.md, leaving the rest as the
last full run wrote it."""
import json


def read_raw(raw_file):
    """name -> parsed JSON value, from the lines `name=<json>`."""
    raw = {}
    for line in open(raw_file):
        name, _, value = line.strip().partition("=")
        if name:
            raw[name] = json.loads(value)
    return raw


def merge(figures, section_lines, begin, end):
    """Adds figures (top-level keys) to bench/results.json and puts section_lines, which start with
    begin and end with end, in place of that section of docs/benchmarks.md (or at its end)."""
    with open("bench/results.json") as f:
        results = json.load(f)
    results.update(figures)
    with open("bench/results.json", "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    page = open("docs/benchmarks.md").read()
    text = "\n".join(section_lines)
    if begin in page:
        page = page[:page.index(begin)] + text + page[page.index(end) + len(end):]
    else:
        page = page.rstrip() + "\n\n" + text + "\n"
    with open("docs/benchmarks.md", "w") as f:
        f.write(page)
    print(json.dumps(figures, indent=2))
