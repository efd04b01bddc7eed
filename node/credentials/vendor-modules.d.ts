// Ambient declarations for the untyped Digital Bazaar / DCC packages the credential core uses.
// They are deliberately loose (any): the modules that use them wrap every call in typed functions.
declare module '@digitalbazaar/vc';
declare module '@digitalbazaar/data-integrity';
declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
declare module '@digitalbazaar/ed25519-multikey';
declare module '@digitalbazaar/ed25519-signature-2020';
declare module '@digitalbazaar/ed25519-verification-key-2020';
declare module '@digitalbazaar/did-method-key';
declare module '@digitalbazaar/credentials-context';
declare module '@digitalbazaar/vc-bitstring-status-list-context';
declare module '@digitalcredentials/vc';
