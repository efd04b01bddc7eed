/**
 * The publish form's skills list: GET /api/v1/admin/skills answers the skills the replica's catalogue already uses
 * (node/catalogue/skills-in-use.ts). Admin only: it serves the unit's editor, not the public. Must never touch
 * tables nor take input (the answer is bounded by the service).
 */
import type { SkillsInUse } from '../../catalogue/skills-in-use.js';
import type { RouteDef } from '../route-table.js';

export function skillsRoutes(s: { skillsInUse: Pick<SkillsInUse, 'list'> }): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/skills',
      scope: 'admin',
      tag: 'admin',
      summary: "The skills the replica's catalogue already uses (name, framework, URI; most used first): the publish form's list",
      response: 'api/skill-list',
      handler: (_req, res) => {
        res.json(s.skillsInUse.list());
      },
    },
  ];
}
