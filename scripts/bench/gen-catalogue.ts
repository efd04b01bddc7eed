/**
 * Generates realistic-looking catalogue records (Spanish and English text) for load tests, deterministic per seed.
 */
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';

const TOPICS_ES = ['Prevención de infecciones', 'Gestión de la calidad', 'Energía solar fotovoltaica', 'Programación de robots', 'Salud mental comunitaria', 'Formación docente en línea', 'Seguridad minera', 'Análisis de datos', 'Cuidados paliativos', 'Diseño sismorresistente', 'Telemedicina', 'Manufactura esbelta', 'Nutrición comunitaria', 'Riego tecnificado', 'Gestión de residuos', 'Farmacovigilancia', 'Electromovilidad', 'Hidrógeno verde', 'Bioseguridad', 'Topografía digital'];
const TOPICS_EN = ['Infection prevention', 'Quality management', 'Solar photovoltaics', 'Robot programming', 'Community mental health', 'Online teacher training', 'Mining safety', 'Data analysis', 'Palliative care', 'Earthquake-resistant design', 'Telemedicine', 'Lean manufacturing', 'Community nutrition', 'Irrigation design', 'Waste management', 'Pharmacovigilance', 'Electromobility', 'Green hydrogen', 'Biosafety', 'Digital surveying'];
const LEVELS_ES = ['básico', 'intermedio', 'avanzado', 'para supervisores', 'en atención primaria', 'en la industria', 'aplicado', 'en comunidades rurales'];
const VERBS = ['Aplicar', 'Diseñar', 'Evaluar', 'Analizar', 'Implementar', 'Gestionar', 'Identificar', 'Planificar'];
const OBJECTS = ['protocolos de seguridad', 'medidas de control', 'sistemas de información', 'procesos de producción', 'planes de mejora', 'indicadores de calidad', 'intervenciones comunitarias', 'proyectos técnicos'];
const FIELDS = ['0913', '0912', '0916', '0923', '1022', '0713', '0714', '0715', '0732', '0712', '0613', '0721'];
const MODES = ['online', 'onsite', 'blended'] as const;
const ASSESS = ['exam', 'project', 'practical', 'portfolio', 'simulation'] as const;
const SYSTEMS = [['SATCA', 16], ['SCT-Chile', 27], ['CSUCA-GT', 16], ['ECTS', 27]] as const;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 1_000_000) / 1_000_000;
  };
}

export function generateRecords(n: number, seed = 42, codePrefix = 'mc'): MicrocredentialRecord[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const out: MicrocredentialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * TOPICS_ES.length);
    const lvl = pick(LEVELS_ES);
    const [system, hpc] = pick(SYSTEMS);
    const hours = 8 * (2 + Math.floor(r() * 18));
    out.push({
      code: `${codePrefix}-${i}`,
      version: 1,
      title: { es: `${TOPICS_ES[t]} ${lvl}`, en: `${TOPICS_EN[t]} (${i % 7 === 0 ? 'advanced' : 'foundation'})` },
      description: { es: `Microcredencial sobre ${TOPICS_ES[t]!.toLowerCase()} ${lvl}, con práctica guiada y evaluación final.` },
      learningOutcomes: [0, 1, 2].map(() => ({ text: { es: `${pick(VERBS)} ${pick(OBJECTS)} relacionados con ${TOPICS_ES[t]!.toLowerCase()}.` } })),
      workload: { hours, credits: { system, value: Math.round((hours / hpc) * 10) / 10 } },
      level: { framework: 'EQF', value: String(4 + Math.floor(r() * 4)) },
      fieldOfStudy: { iscedF: pick(FIELDS) },
      assessment: { type: pick(ASSESS) },
      participation: { mode: pick(MODES) },
      qualityAssurance: { type: r() < 0.5 ? 'internal' : 'internal-and-external' },
      languages: r() < 0.3 ? ['es', 'en'] : ['es'],
      skills: [{ name: { es: TOPICS_ES[t]!, en: TOPICS_EN[t]! }, framework: 'ESCO' }],
      pilotArea: Number(pick(FIELDS).slice(0, 2)) >= 9 ? 'health' : 'engineering',
    });
  }
  return out;
}
