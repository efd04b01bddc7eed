-- Expression indexes for the generic documents projection (recognitions by microcredential, accreditations by subject).
CREATE INDEX `documents_recognition_mc` ON `documents` (json_extract(`body`, '$.microcredential.id')) WHERE `type` = 'recognition';
--> statement-breakpoint
CREATE INDEX `documents_accreditation_subject` ON `documents` (json_extract(`body`, '$.subject.id')) WHERE `type` = 'accreditation';
