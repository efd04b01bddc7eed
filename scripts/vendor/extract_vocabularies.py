#!/usr/bin/env python3
"""
Builds the term lists and concept schemes of schemas/vendor/elm and schemas/vendor/ctdl (see their READMEs) from
git snapshots of the publishers' files. Run by hand when updating the vendored vocabularies; nothing at run time or
in tests reads the sources, only the JSON files this writes.

  python3 scripts/vendor/extract_vocabularies.py <European-Learning-Model git dir> <desmSchemas git dir>

Never edit the outputs by hand: every term and concept in them must come from the published files.
"""
import json, re, subprocess, sys, os

ELM_COMMIT = '9d7c5d22002237c3afeb1750b7038e6fe2cdd371'
DESM_COMMIT_CTDL = 'e726c8e3c9ac8b14636a1ef1783d802d94155904'
DESM_COMMIT_CONCEPTS = '4c4720428e6ccebb3cd41dbafcd6730c51060ce5'
DESM_COMMIT_ASN_CONTEXT = 'fc5da1053f84b3c8b8e41f271c72c4477194f695'

def show(git_dir, commit, path):
    return subprocess.run(['git', '--git-dir', git_dir, 'show', f'{commit}:{path}'], check=True, capture_output=True).stdout.decode('utf-8')

def write(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write('\n')

def prefixes(ttl):
    return {m.group(1): m.group(2) for m in re.finditer(r'@prefix\s+(\w*):\s*<([^>]+)>', ttl)}

def elm(git_dir, out):
    os.makedirs(out, exist_ok=True)
    ctx = show(git_dir, ELM_COMMIT, 'rdf/ap/edc/edc-ap-context.jsonld')
    with open(os.path.join(out, 'edc-ap-context.jsonld'), 'w', encoding='utf-8') as f:
        f.write(ctx)
    terms = set()
    for path in ['rdf/ontology/ELM.ttl', 'rdf/ontology/ELM-external.ttl']:
        ttl = show(git_dir, ELM_COMMIT, path)
        px = prefixes(ttl)
        # ELM-external.ttl declares elm: as https://data.europa.eu/snb/model# but holds no elm: subject; ELM.ttl's elm: rules
        # terms the ontology declares (a subject at the start of a line) ...
        for m in re.finditer(r'^[ \t]*([a-z]+):([A-Za-z][A-Za-z0-9_]*)[ \t]*$', ttl, re.M):
            if m.group(1) in px:
                terms.add(px[m.group(1)] + m.group(2))
        # ... and terms of reused vocabularies it names (subPropertyOf, ranges, the per-class lists of reused properties)
        if path.endswith('ELM.ttl'):
            for m in re.finditer(r'\b(dc|skos|foaf|rov|adms|org|locn):([A-Za-z][A-Za-z0-9_]*)\b', ttl):
                terms.add(px[m.group(1)] + m.group(2))
    write(os.path.join(out, 'elm-terms.json'), sorted(terms))
    schemes = {}
    for name in ['europass-learning-assessment-types', 'europass-modes', 'europass-learning-activity-types', 'europass-accreditation-types', 'eqf', 'isced-f',
                 'credit-points', 'europass-learning-setting-types', 'country', 'language']:
        xsd = show(git_dir, ELM_COMMIT, f'xsd/loq/cv/{name}.xsd')
        concepts = {}
        for m in re.finditer(r'<xs:enumeration value="([^"]+)">\s*<xs:annotation>\s*<xs:documentation>([^<]*)</xs:documentation>', xsd):
            concepts[m.group(1)] = re.sub(r'\s+', ' ', m.group(2)).strip()
        uris = list(concepts)
        base = os.path.commonprefix(uris)
        base = base[: base.rfind('/') + 1]
        ns = re.search(r'targetNamespace="([^"]+)"', xsd).group(1)
        schemes[name] = {'source': f'xsd/loq/cv/{name}.xsd', 'targetNamespace': ns, 'base': base,
                         'concepts': {u[len(base):]: l for u, l in concepts.items()}}
    write(os.path.join(out, 'concepts.json'), schemes)

def ctdl(git_dir, out):
    os.makedirs(out, exist_ok=True)
    graph = json.loads(show(git_dir, DESM_COMMIT_CTDL, 'Credential Engine/CTDL.json'))['@graph']
    terms = {}
    for x in graph:
        t = x['@type'] if isinstance(x['@type'], str) else x['@type'][0]
        entry = {'type': t}
        for k, key in [('schema:domainIncludes', 'domain'), ('schema:rangeIncludes', 'range'), ('rdfs:subClassOf', 'subClassOf')]:
            v = x.get(k)
            if v is not None:
                entry[key] = [v] if isinstance(v, str) else v
        terms[x['@id']] = entry
    write(os.path.join(out, 'ctdl-terms.json'), terms)
    schemes = {}
    for name in ['Delivery Type', 'Assessment Method', 'Credit Unit', 'Audience Level', 'Credential Status', 'Learning Method']:
        g = json.loads(show(git_dir, DESM_COMMIT_CONCEPTS, f'Credential Engine/{name}.json'))['@graph']
        scheme = next(x for x in g if x['@type'] == 'skos:ConceptScheme')
        schemes[scheme['@id']] = {'source': f'Credential Engine/{name}.json', 'label': scheme['rdfs:label'],
                                  'concepts': {x['@id']: x['skos:prefLabel'] for x in g if x['@type'] == 'skos:Concept'}}
    write(os.path.join(out, 'concepts.json'), schemes)
    with open(os.path.join(out, 'ctdlasn-context.json'), 'w', encoding='utf-8') as f:
        f.write(show(git_dir, DESM_COMMIT_ASN_CONTEXT, 'Credential Engine/CTDL-ASN_Context.json'))

if __name__ == '__main__':
    root = os.path.join(os.path.dirname(__file__), '..', '..', 'schemas', 'vendor')
    elm(sys.argv[1], os.path.join(root, 'elm'))
    ctdl(sys.argv[2], os.path.join(root, 'ctdl'))
