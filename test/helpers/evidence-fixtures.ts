// Evidence files and the seed's portfolio rubric for the evidence tests (issue 15 item 1).

/** A small but real PDF (its header is what the type check reads). */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');
/** A 1×1 PNG. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1d3a4e50000000049454e44ae426082', 'hex');

/** The seed's portfolio rubric (critical thinking, development capacity, self-reflection, fit to context), with a learner's levels. */
export const RUBRIC = ['Pensamiento crítico', 'Capacidad de desarrollo', 'Autorreflexión', 'Adecuación al contexto'].map((criterion, i) => ({
  criterion,
  levels: [{ name: 'Inicial' }, { name: 'En desarrollo' }, { name: 'Logrado', points: '3' }, { name: 'Destacado', points: '4' }],
  requiredLevel: 'En desarrollo',
  achievedLevel: i % 2 ? 'Destacado' : 'Logrado',
}));
