-- Full-text index of the catalogue (FTS5). Accent- and case-insensitive: unicode61 with remove_diacritics 2.
-- Maintained by the catalogue projection in the same transaction as the entry.
CREATE VIRTUAL TABLE `microcredentials_fts` USING fts5(
  `id` UNINDEXED,
  `title`,
  `description`,
  `outcomes`,
  `skills`,
  `institution`,
  tokenize = 'unicode61 remove_diacritics 2'
);
