/**
 * The language-neutral channel of the recognition similarity (similarity.ts): accent and case folding, es/en/pt
 * stop-words, cognate normalisation of common suffixes (-ción / -tion / -ção → one form) and a short explicit lexicon,
 * so that an outcome written in Portuguese can meet a Spanish one when the records carry no shared translation.
 * Not a translation: it catches shared technical vocabulary. Must never call a network service or load a model.
 */

const STOP = new Set(
  (
    // es
    'a al algo ante antes como con contra cual cuales cuando de del desde donde durante e el ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto estos fue ha han hasta la las le les lo los mas me mi mientras muy ni no nos o otra otras otro otros para pero poco por porque que quien se sea segun ser si sin sobre su sus tal tambien te tiene tienen todo todos tras tu un una unas uno unos y ya ' +
    // en
    'about an and any are as at be been being but by can could do does for from had has have how if in into is it its may more most must not of on or other our shall should so such than that the their them then there these they this those through to under up upon use used using was we were what when where which while who will with within would you your ' +
    // pt
    'ao aos as com como da das de do dos e ela elas ele eles em entre essa esse esta este isso mais mas na nas no nos o os ou para pela pelas pelo pelos por que se sem seu seus sua suas um uma umas uns ' +
    // verbs that open almost every outcome statement
    'capaz able ser estar poder puede podra podran student students estudiante estudiantes participante participantes alumno alumnos learner learners aluno alunos will sera seran demonstrate demostrar demonstrar'
  ).split(/\s+/),
);

/**
 * A small es/en/pt lexicon of frequent words in engineering and health outcomes whose forms are not cognates.
 * Each group maps to one canonical term. Kept short and explicit on purpose: every match stays explainable.
 */
const LEXICON_GROUPS: string[][] = [
  ['salud', 'health', 'saude'],
  ['atencion', 'care', 'cuidado', 'cuidados', 'atencao'],
  ['medida', 'medidas', 'measure', 'measures'],
  ['aplicar', 'apply', 'applies'],
  ['seguridad', 'safety', 'security', 'seguranca'],
  ['paciente', 'pacientes', 'patient', 'patients'],
  ['enfermeria', 'nursing', 'enfermagem'],
  ['riesgo', 'riesgos', 'risk', 'risks', 'risco', 'riscos'],
  ['trabajo', 'work', 'trabalho'],
  ['agua', 'water'],
  ['energia', 'energy'],
  ['datos', 'dato', 'data', 'dados'],
  ['red', 'redes', 'network', 'networks', 'rede'],
  ['diseno', 'disenar', 'design', 'designs', 'projetar', 'projeto'],
  ['evaluar', 'assess', 'evaluate', 'avaliar'],
  ['herramienta', 'herramientas', 'tool', 'tools', 'ferramenta', 'ferramentas'],
  ['mantenimiento', 'maintenance', 'manutencao'],
  ['calidad', 'quality', 'qualidade'],
  ['limpieza', 'cleaning', 'limpeza'],
  ['mano', 'manos', 'hand', 'hands', 'mao', 'maos'],
  ['higiene', 'hygiene'],
  ['brote', 'brotes', 'outbreak', 'outbreaks', 'surto', 'surtos'],
  ['vigilancia', 'surveillance'],
  ['aislamiento', 'isolation', 'isolamento'],
  ['desarrollar', 'develop', 'desenvolver'],
  ['identificar', 'identify'],
  ['analizar', 'analyse', 'analyze', 'analisar'],
  ['programar', 'program', 'programming', 'programacion'],
  ['sostenible', 'sustainable', 'sustentavel'],
  ['emergencia', 'emergency', 'emergencias', 'emergencies'],
  // engineering
  ['sismo', 'sismos', 'sismico', 'sismica', 'sismicos', 'sismicas', 'sismorresistente', 'sismorresistentes', 'seismic', 'earthquake', 'earthquakes', 'terremoto', 'terremotos', 'antisismico'],
  ['hormigon', 'concreto', 'concrete'],
  ['armado', 'reforzado', 'reforzada', 'reinforced', 'armada', 'reforcado', 'reforcada'],
  ['mamposteria', 'masonry', 'alvenaria'],
  ['edificio', 'edificios', 'building', 'buildings', 'edificacion', 'edificaciones', 'edificacao', 'edificacoes'],
  ['vivienda', 'viviendas', 'housing', 'house', 'houses', 'moradia', 'moradias', 'habitacao'],
  ['potable', 'drinking', 'potavel'],
  ['falla', 'fallas', 'fault', 'faults', 'failure', 'failures', 'falha', 'falhas'],
  ['dimensionar', 'size', 'sizing', 'dimensionamiento', 'dimensionamento'],
  ['auditoria', 'auditorias', 'audit', 'audits', 'auditar'],
  ['mineria', 'minero', 'minera', 'mineros', 'mineras', 'mining', 'mine', 'mines', 'mineracao', 'mina', 'minas'],
  ['cafe', 'coffee'],
  ['grano', 'granos', 'grain', 'grains', 'grao', 'graos', 'bean', 'beans'],
  // health
  ['reanimacion', 'resuscitation', 'ressuscitacao', 'rcp', 'cpr'],
  ['desfibrilador', 'desfibriladores', 'defibrillator', 'defibrillators', 'dea', 'aed'],
  ['embarazo', 'embarazos', 'pregnancy', 'pregnancies', 'gravidez', 'gestacion', 'gestacao'],
  ['prenatal', 'antenatal', 'pre-natal'],
  ['recien', 'newborn', 'newborns', 'neonatal', 'neonato', 'recem'],
  ['lactancia', 'breastfeeding', 'amamentacao', 'aleitamento'],
  ['musculoesqueletico', 'musculoesqueleticos', 'musculoskeletal', 'osteomuscular', 'osteomusculares'],
  ['dolor', 'pain', 'dor'],
  ['notificar', 'notify', 'report', 'notification', 'notificacion', 'notificacao'],
  ['caso', 'casos', 'case', 'cases'],
];
const LEXICON = new Map<string, string>();
for (const g of LEXICON_GROUPS) for (const w of g) LEXICON.set(w, `~${g[0]}`);

/** Whether a case- and accent-folded word is an es/en/pt stop-word (or a verb that opens almost every outcome). */
export function isStopWord(folded: string): boolean {
  return STOP.has(folded);
}

/** Normalises one word to a cross-language term. */
export function termOf(word: string): string | null {
  let w = word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  if (w.length < 3 || STOP.has(w) || /^\d+$/.test(w)) return null;
  const lex = LEXICON.get(w);
  if (lex) return lex;
  // Spanish and Portuguese prothetic e (estructura / structure, esterilización / sterilisation), z / s spellings
  w = w.replace(/^es(?=[bcdfgjklmnpqrstvwxz])/, 's').replace(/z/g, 's');
  // cognate suffixes (order matters: longest first)
  w = w
    .replace(/(ciones|cions|coes|tions)$/, 'cion')
    .replace(/(cao|tion)$/, 'cion')
    .replace(/(siones|sions|soes)$/, 'sion')
    .replace(/(sao)$/, 'sion')
    .replace(/(idades|idade|idad|ities|ity)$/, 'idad')
    .replace(/(mente|ly)$/, '')
    .replace(/(icos|icas|ico|ica|ical|icals|ic|ics)$/, 'ic')
    .replace(/(ivos|ivas|ivo|iva|ive|ives)$/, 'iv')
    .replace(/(ales|al|ais)$/, 'al')
    .replace(/(ismos|ismo|isms|ism)$/, 'ism')
    .replace(/(istas|ista|ists|ist)$/, 'ist')
    .replace(/(ando|iendo|indo|ing)$/, '')
    .replace(/(ados|adas|ado|ada|ated|ate|ates)$/, 'at')
    .replace(/(es|s)$/, '');
  if (w.length > 5) w = w.replace(/[eo]$/, '');
  // a few frequent consonant spellings
  w = w.replace(/ph/g, 'f').replace(/th/g, 't').replace(/y/g, 'i').replace(/cc/g, 'c').replace(/ct/g, 'c').replace(/nn|mm|ll|ss|tt/g, (m) => m[0]!);
  if (w.length < 3) return null;
  return w.slice(0, 12);
}
