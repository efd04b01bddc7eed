-- Indexes for the bounded lists of public answers (node/core/bounded-lists.ts): a page of the newest recognition
-- decisions about one microcredential, or of one institution's decisions, reads its 50 rows through an index in
-- order instead of reading and sorting every decision (5,000 decisions of one member: ~40 ms a page before); which
-- of a page's decisions a later one supersedes is an index lookup per decision. The first replaces
-- documents_recognition_mc (0003) with the same leading expression plus the order.
CREATE INDEX `documents_recognition_mc_ts` ON `documents` (json_extract(`body`, '$.microcredential.id'), `ts`, `entry_id`) WHERE `type` = 'recognition';
--> statement-breakpoint
DROP INDEX IF EXISTS `documents_recognition_mc`;
--> statement-breakpoint
CREATE INDEX `documents_recognition_author_ts` ON `documents` (`author`, `ts`, `entry_id`) WHERE `type` = 'recognition';
--> statement-breakpoint
CREATE INDEX `documents_recognition_supersedes` ON `documents` (`author`, json_extract(`body`, '$.supersedes')) WHERE `type` = 'recognition';
