#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Validates meldpunt's threat-intelligence exports against the published
formats, with python3-jsonschema and nothing hand-written:

  misp FILE   the event against the JSON Schema of the MISP core format
              (draft-dulaunoy-misp-core-format, section 3 "JSON Schema"),
              cut out of the specification's text as published; each
              attribute's category and type against the table of valid
              category-type combinations (section 2.3.2.3), and the
              members section 2.2.1 says an event MUST have;
  stix FILE   the bundle against the OASIS STIX 2.1 JSON schemas, every
              $ref resolved from the local copy (no network): the bundle
              against bundle.json, and each object against the schema of
              its type (sdos/, sros/, observables/, common/).  The
              bundle.json of these schemas does not list the `incident`
              SDO among the objects a bundle holds (it would take it as a
              custom object, which matches both core and cyber-observable
              core, so its oneOf fails); such objects are checked against
              their own schema and left out of the bundle check.

The reference copies live in tests/reference (copied from the project's
shared reference with their SOURCE and LICENSE files, so a clean clone has
them; override with MELDPUNT_REFERENCE).  Prints "ok" or the errors, one a line; exit 1 on
errors.
"""
import json
import os
import re
import sys

import jsonschema

try:  # jsonschema >= 4.18 resolves $refs through `referencing`
    from referencing import Registry, Resource
except ImportError:  # Debian 12's python3-jsonschema (4.10): a RefResolver store
    Registry = Resource = None

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.environ.get(
    "MELDPUNT_REFERENCE", os.path.normpath(os.path.join(HERE, "../../reference"))
)


def misp_schema():
    """Section 3 of the MISP core format draft: the text between its
    heading and section 4, without the page footers and headers."""
    with open(os.path.join(REFERENCE, "misp/misp-core-format.txt"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("\n3.  JSON Schema\n")
    end = text.index("\n4.  Manifest\n", start)
    body = "\n".join(page_lines(text[start:end]))
    return json.loads(body[body.index("{") : body.rindex("}") + 1])


STIX_BASE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"


def page_lines(text):
    for line in text.splitlines():
        if re.match(r"^Dulaunoy & Iklody .*\[Page \d+\]$", line):
            continue
        if re.match(r"^Internet-Draft\s+MISP core format", line):
            continue
        yield line.replace("\f", "")


def misp_categories():
    """Section 2.3.2.3: category -> the types valid in it."""
    with open(os.path.join(REFERENCE, "misp/misp-core-format.txt"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("category-type combinations is as follows:")
    end = text.index("Attributes are based on the usage", start)
    entries = []
    for line in page_lines(text[start:end].split("\n", 1)[1]):
        if not line.strip():
            continue
        if line.startswith("      ") and entries:
            prev = entries[-1]
            entries[-1] = prev + line.strip() if prev.endswith("-") else prev + " " + line.strip()
        else:
            entries.append(line.strip())
    table = {}
    for entry in entries:
        category, types = entry.split("  ", 1)
        table[category] = {t.strip() for t in types.split(",") if t.strip()}
    return table


def misp_errors(doc):
    schema = misp_schema()
    cls = jsonschema.validators.validator_for(schema)
    check = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = [("/".join(str(p) for p in e.absolute_path), e.message) for e in check.iter_errors(doc)]
    event = doc.get("Event", {}) if isinstance(doc, dict) else {}
    # 2.2.1: uuid, info, threat_level_id, analysis, date, timestamp, published
    # and distribution are the members an event is described by
    for key in ("uuid", "info", "threat_level_id", "analysis", "date", "timestamp", "distribution"):
        if key not in event:
            errors.append(("Event", f"{key} is missing"))
    if event.get("threat_level_id") not in ("1", "2", "3", "4"):
        errors.append(("Event/threat_level_id", "must be 1 to 4 (2.2.1.5)"))
    if event.get("analysis") not in ("0", "1", "2"):
        errors.append(("Event/analysis", "must be 0, 1 or 2 (2.2.1.6)"))
    if event.get("distribution") not in ("0", "1", "2", "3", "4"):
        errors.append(("Event/distribution", "must be 0 to 4 (2.2.1.14)"))
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(event.get("date"))):
        errors.append(("Event/date", "must be ISO 8601 YYYY-MM-DD (2.2.1.7)"))
    table = misp_categories()
    for i, a in enumerate(event.get("Attribute", [])):
        if a.get("type") not in table.get(a.get("category"), ()):
            errors.append((f"Event/Attribute/{i}", f"type {a.get('type')!r} is not valid in category {a.get('category')!r} (2.3.2.3)"))
        if a.get("distribution") not in ("0", "1", "2", "3", "4", "5"):
            errors.append((f"Event/Attribute/{i}/distribution", "must be 0 to 5 (2.3.2.7)"))
    return errors


class Store:
    """The schemas by their $id, for either way of resolving."""

    def __init__(self, docs):
        self.docs = docs
        if Registry is not None:
            self.registry = Registry().with_resources(
                (uri, Resource.from_contents(doc)) for uri, doc in docs.items()
            )

    def contents(self, uri):
        return self.docs[uri]


def stix_registry():
    base = os.path.join(REFERENCE, "stix2-json-schemas/schemas")
    docs, by_type = {}, {}
    for root, _, files in os.walk(base):
        for name in files:
            if name.endswith(".json"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    doc = json.load(f)
                docs[doc["$id"]] = doc
                folder = os.path.basename(root)
                if folder in ("sdos", "sros", "observables") or name == "marking-definition.json":
                    by_type[name[:-5]] = doc["$id"]
    return Store(docs), by_type


def validator(store, uri):
    schema = store.contents(uri)
    cls = jsonschema.validators.validator_for(schema)
    if Registry is not None:
        return cls(schema, registry=store.registry, format_checker=cls.FORMAT_CHECKER)
    resolver = jsonschema.RefResolver(uri, schema, store=store.docs)
    return cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def stix_errors(doc):
    registry, by_type = stix_registry()
    bundle_uri = STIX_BASE + "common/bundle.json"
    listed = {
        os.path.basename(ref["$ref"])[:-5]
        for ref in registry.contents(bundle_uri)["properties"]["objects"]["items"]["anyOf"][0]["oneOf"]
    }
    errors = []
    objects = doc.get("objects", []) if isinstance(doc, dict) else []
    envelope = dict(doc) if isinstance(doc, dict) else doc
    if isinstance(doc, dict):
        envelope["objects"] = [o for o in objects if o.get("type") in listed]
    for e in validator(registry, bundle_uri).iter_errors(envelope):
        errors.append(("bundle/" + "/".join(str(p) for p in e.absolute_path), e.message))
    for i, o in enumerate(objects):
        uri = by_type.get(o.get("type"))
        if uri is None:
            errors.append((f"objects/{i}", f"no schema for type {o.get('type')!r}"))
            continue
        for e in validator(registry, uri).iter_errors(o):
            errors.append((f"objects/{i}/" + "/".join(str(p) for p in e.absolute_path), e.message))
    return errors


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("misp", "stix", "misp-schema"):
        print("usage: threatintel_validate.py misp|stix FILE", file=sys.stderr)
        return 2
    if sys.argv[1] == "misp-schema":
        print(json.dumps(misp_schema(), indent=1))
        return 0
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    if sys.argv[1] == "misp":
        errors = misp_errors(doc)
    else:
        errors = stix_errors(doc)
    for where, message in errors:
        print(where + ": " + message[:300])
    if not errors:
        print("ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
