-- The reason category of a credential's revocation or suspension (schemas/status-reason.schema.json): unlike the
-- free-text `reason`, it is replicated (in the companion of the credential's status list) and shown by verification.
-- Set by revoke / suspend (null when none was given), cleared by reinstate. Partial indexes: a list's companion is
-- rebuilt from the rows of that list that have a category.
ALTER TABLE `issued_credentials` ADD `reason_category` text;--> statement-breakpoint
CREATE INDEX `issued_credentials_revocation_category` ON `issued_credentials` (`revocation_list`) WHERE reason_category IS NOT NULL;--> statement-breakpoint
CREATE INDEX `issued_credentials_suspension_category` ON `issued_credentials` (`suspension_list`) WHERE reason_category IS NOT NULL;
