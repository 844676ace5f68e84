"""Parse sentences with link-grammar (Debian's ``python3-link-grammar``); run by the system Python.

Standard library and ``linkgrammar`` only, since it runs outside xaudit's environment: one
sentence per input line; one JSON line per sentence out: ``{"words": [...], "links":
[[left, right, left_label, right_label], ...]}`` (word indices include LEFT-WALL at 0), or
``null`` when link-grammar finds no complete linkage within a second.
"""

import json
import sys

import linkgrammar

clg = sys.modules[linkgrammar.Linkage.__module__].clg


def main() -> None:
    dictionary = linkgrammar.Dictionary("en")
    options = linkgrammar.ParseOptions(max_null_count=0, linkage_limit=1, max_parse_time=1, verbosity=0)
    for line in sys.stdin:
        linkage = next(iter(linkgrammar.Sentence(line.strip(), dictionary, options).parse()), None)
        if linkage is None:
            print("null", flush=False)
            continue
        links = [[clg.linkage_get_link_lword(linkage._obj, i), clg.linkage_get_link_rword(linkage._obj, i),
                  link.left_label, link.right_label] for i, link in enumerate(linkage.links())]
        print(json.dumps({"words": list(linkage.words()), "links": links}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
