"""Keeps the definitions that Job and ConfigMap reach from kubernetes-validate's
_definitions.json, verbatim (see README.md). Run from the unpacked wheel:
  python3 trim.py SRC_DIR DEST_DIR
"""
import json, re, sys, shutil, os

src, dest = sys.argv[1], sys.argv[2]
defs = json.load(open(os.path.join(src, "_definitions.json")))
tops = ["job-batch-v1.json", "configmap-v1.json"]
ref = re.compile(r'"\$ref":\s*"[^"#]*#/\$defs/([^"]+)"')
todo, seen = [], set()
for t in tops:
    shutil.copy(os.path.join(src, t), os.path.join(dest, t))
    todo += ref.findall(open(os.path.join(src, t)).read())
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    todo += ref.findall(json.dumps(defs["$defs"][name]))
out = dict(defs)
out["$defs"] = {k: v for k, v in defs["$defs"].items() if k in seen}
with open(os.path.join(dest, "_definitions.json"), "w") as f:
    json.dump(out, f, indent=2, sort_keys=False)
    f.write("\n")
print(len(seen), "of", len(defs["$defs"]), "definitions kept")
