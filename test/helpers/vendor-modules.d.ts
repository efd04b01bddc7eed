// Ambient declarations for untyped packages the tests use as independent verifiers.
declare module '@digitalcredentials/vc-bitstring-status-list';
