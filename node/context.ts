/**
 * The composition root: builds every service of a node from its config, wires projections into the feed, and
 * owns the long-lived parts (SQLite, HTTP server, libp2p) through `start()` / `stop()`. Tests pass overrides.
 * The only module that knows every other module; nothing imports it except the CLI, scripts and tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from './core/clock.js';
import { RegistryError } from './core/errors.js';
import { createLogger, type Logger } from './core/logger.js';
import { SchemaRegistry } from './core/schema-registry.js';
import { FeedService } from './feed/feed.service.js';
import { OwnFeedGate } from './feed/own-feed.js';
import { readKeystore, writeKeystore, type Keystore } from './identity/keystore.js';
import { openStore, type Store } from './store/database.js';
import { meta } from './store/schema.js';
import { WalCheckpointer } from './store/checkpointer.js';
import { AdminTokens } from './store/admin-tokens.js';
import { networkId, validateManifest, type Manifest } from './trust/manifest.js';
import { MembershipService } from './trust/membership.js';
import { InstitutionDirectory } from './trust/institutions.js';
import { IssuerKeyRegistry } from './trust/issuer-keys.js';
import { InstitutionService } from './trust/institution.service.js';
import { CatalogueProjector } from './catalogue/catalogue.projector.js';
import { CatalogueSearch } from './catalogue/search.js';
import { CatalogueService } from './catalogue/catalogue.service.js';
import { CreditSystems } from './catalogue/credit-systems.js';
import { loadReferenceData, type ReferenceData } from './catalogue/reference-data.js';
import { ReferencePublisher, ReferenceRegistry } from './catalogue/reference-registry.js';
import { ReferencePolicy } from './trust/reference-policy.js';
import { RecognitionService } from './recognition/recognition.service.js';
import { RecognitionProjector } from './recognition/recognition.projector.js';
import type { Replicator, ReplicatorOptions } from './federation/replicator.js';
import { createDocumentLoader } from './identity/document-loader.js';
import { StatusListRegistry } from './credentials/status-registry.js';
import { CredentialService } from './credentials/credential.service.js';
import { ClaimService } from './credentials/claims.js';
import { DeliveryQueue } from './credentials/deliveries.js';
import { Mailer, type ClaimMailFacts } from './credentials/mailer.js';
import { microcredentialIdFromUri } from './credentials/ob3.js';
import { ReplicaFreshness } from './credentials/freshness.js';
import { NodePublicUrl } from './core/public-url.js';
import { EndorsementService } from './trust/endorsements.js';
import { AccreditationPolicy, AccreditationService } from './trust/accreditations.js';
import { IssuerKeyLifecycle } from './trust/key-lifecycle.js';
import { Oid4vciService } from './credentials/oid4vci.js';
import { nameOf } from './credentials/issuing-unit.js';
import type { LookupVerifier } from './http/routes/recognition.routes.js';
import { SkillsInUse } from './catalogue/skills-in-use.js';
import { countingReplica } from './feed/counting-replica.js';
import type { NodeConfig } from './config.js';

export interface NodeOverrides {
  clock?: Clock;
  logger?: Logger;
  schemas?: SchemaRegistry;
  keystore?: Keystore;
  manifest?: Manifest;
  /** Skip libp2p (single-node tests and CLI commands that only touch the database). */
  federation?: boolean;
  /** Skip the HTTP server. */
  http?: boolean;
  /** Replication tuning (tests use short intervals). */
  replication?: Partial<ReplicatorOptions>;
  /** The bundled reference data (default schemas/reference): the floor the node follows the network's from. */
  referenceData?: ReferenceData;
}

export interface Services {
  config: NodeConfig;
  clock: Clock;
  logger: Logger;
  schemas: SchemaRegistry;
  store: Store;
  keystore: Keystore;
  manifest: Manifest;
  network: string;
  feed: FeedService;
  membership: MembershipService;
  institutions: InstitutionDirectory;
  issuerKeys: IssuerKeyRegistry;
  institution: InstitutionService;
  /** Who may endorse whom, and the endorsement entries (HTTP and CLI). */
  endorsements: EndorsementService;
  /** Who may accredit, and the accreditation entries (HTTP and CLI). */
  accreditations: AccreditationService;
  /** Rotation and compromise of issuer keys, with the status lists re-signed (HTTP and CLI). */
  issuerKeyLifecycle: IssuerKeyLifecycle;
  catalogue: CatalogueService;
  /** The skills the replica's catalogue already uses: the publish form's list (GET /api/v1/admin/skills). */
  skillsInUse: SkillsInUse;
  credits: CreditSystems;
  /** The live reference data (bundled floor + the network's `reference` entries) and who published each record. */
  reference: ReferenceRegistry;
  /** Who may publish reference data (the manifest's referencePublishers), and this node's reference entries. */
  referencePolicy: ReferencePolicy;
  referencePublisher: ReferencePublisher;
  recognition: RecognitionService;
  statusLists: StatusListRegistry;
  credentials: CredentialService;
  /** Sends claim links by e-mail (node.json "smtp"); null when the node has no SMTP settings or is a read mirror. */
  mailer: Mailer | null;
  /** OpenID4VCI: wallets claim a credential bound to their DID through a claim link's offer (node/credentials/oid4vci.ts). */
  oid4vci: Oid4vciService;
  adminTokens: AdminTokens;
  /** Whether this node may append to its own feed (confirmed current with a peer, or the operator's word). */
  ownFeed: OwnFeedGate;
  startedAt: Date;
  /** Where others reach this node's HTTP API; the running node tells it its real address once it listens. */
  publicUrl: NodePublicUrl;
  /** How current the replica is; the running node attaches its replicator once it runs. */
  freshness: ReplicaFreshness;
}

/** The verifier as the registrar's lookup uses it: the report plus the microcredential the credential names. */
export function lookupVerifier(s: Services): LookupVerifier {
  return {
    async verify(input) {
      const report = await s.credentials.verify(input);
      const ach = report.credential?.achievement?.id;
      return { report: report as unknown as Record<string, unknown> & { verified: boolean }, microcredentialId: ach ? microcredentialIdFromUri(ach) : null };
    },
  };
}

export function readManifestFile(file: string, schemas: SchemaRegistry): Manifest {
  if (!existsSync(file)) throw new RegistryError('not_initialised', `no network manifest at ${file}; run \`mochila init\` first`);
  return validateManifest(schemas, JSON.parse(readFileSync(file, 'utf8')));
}

/** Builds the services (opens SQLite, runs migrations). Nothing listens yet. */
export function buildServices(config: NodeConfig, o: NodeOverrides = {}): Services {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger(config.logLevel);
  const schemas = o.schemas ?? new SchemaRegistry();
  const keystore = o.keystore ?? readKeystore(config.keystoreFile, config.passphrase);
  const manifest = o.manifest ?? readManifestFile(config.manifestFile, schemas);
  const network = networkId(manifest);
  const store = openStore(config.dbFile);
  try {
    const storedNet = store.db.select({ value: meta.value }).from(meta).where(eq(meta.key, 'network')).get();
    if (storedNet && storedNet.value !== network)
      throw new RegistryError('validation_failed', `this database belongs to network ${storedNet.value}, but the manifest names ${network}`);
    if (!storedNet) store.db.insert(meta).values({ key: 'network', value: network }).run();

    const membership = new MembershipService(store, manifest, clock);
    const ownFeed = new OwnFeedGate({ store, clock, logger, author: keystore.institution.did, standalone: config.standalone, mirror: config.mirror });
    // membership, and the manifest's rule of who may publish reference data
    const referencePolicy = new ReferencePolicy(membership, manifest);
    const institutions = new InstitutionDirectory(store);
    // and that only a qa-agency member accredits (trust/accreditations.ts)
    const policy = new AccreditationPolicy(referencePolicy, (did) => institutions.get(did)?.profile.kind, manifest.qaAgencies);
    const feed = new FeedService({ store, schemas, network, key: keystore.institution, clock, logger, policy, ownFeed });
    const issuerKeys = new IssuerKeyRegistry(store);
    const search = new CatalogueSearch(store);
    feed.registerProjector(membership);
    feed.registerProjector(institutions);
    feed.registerProjector(issuerKeys);
    feed.registerProjector(new CatalogueProjector(store, clock));
    feed.registerProjector(new RecognitionProjector(store, clock));
    const statusLists = new StatusListRegistry(store);
    feed.registerProjector(statusLists);
    const reference = new ReferenceRegistry(store, o.referenceData ?? loadReferenceData());
    feed.registerProjector(reference);
    const credits = new CreditSystems(() => reference.data());
    const catalogue = new CatalogueService({ store, feed, schemas, institutions, search, credits, reference, clock });
    const recognition = new RecognitionService({ store, feed, schemas, catalogue, membership, institutions, credits, clock });
    const institution = new InstitutionService({
      feed,
      schemas,
      keystore,
      issuerKeys,
      clock,
      saveKeystore: (data) => {
        if (config.dbFile === ':memory:' && !existsSync(config.keystoreFile)) return; // in-memory test nodes
        writeKeystore(config.keystoreFile, data, config.passphrase);
      },
      // a rotation by the CLI on the same database writes the key file first: read again when the feed says so
      loadKeystore: () => (config.dbFile !== ':memory:' && existsSync(config.keystoreFile) ? readKeystore(config.keystoreFile, config.passphrase) : null),
    });
    const publicUrl = new NodePublicUrl(config.publicUrl, `http://${config.httpHost === '0.0.0.0' || config.httpHost === '::' ? '127.0.0.1' : config.httpHost}:${config.httpPort}`);
    const freshness = new ReplicaFreshness({ clock, heads: () => feed.heads() });
    const claims = new ClaimService({ store, clock, secret: keystore.institution.seed, publicUrl: () => publicUrl.get() });
    const deliveries = new DeliveryQueue({ store, clock });
    // the mailer reads a credential's facts for its message when it sends it (the credential service exists by then)
    const facts = (id: string): ClaimMailFacts | null => {
      const c = credentials.get(id);
      if (!c) return null;
      const cred = c.credential as { issuer?: { name?: unknown }; credentialSubject?: { achievement?: { name?: unknown } } };
      const text = (v: unknown, fallback: string) => (typeof v === 'string' && v.trim() ? v : fallback);
      return { learnerName: c.learnerName, achievement: text(cred.credentialSubject?.achievement?.name, c.microcredential), issuer: text(cred.issuer?.name, keystore.institution.did) };
    };
    const mailer = config.smtp && !config.mirror ? new Mailer({ smtp: config.smtp, queue: deliveries, claims, facts, clock, logger: logger.child({ part: 'mail' }) }) : null;
    const credentials: CredentialService = new CredentialService({
      claims,
      deliveries,
      mailer,
      store,
      feed,
      keystore,
      keys: institution,
      catalogue,
      institutions,
      issuerKeys,
      membership,
      statusLists,
      clock,
      logger,
      documentLoader: createDocumentLoader(),
      publicUrl: () => publicUrl.get(),
      freshness: () => freshness.get(),
    });
    return {
      config,
      clock,
      logger,
      schemas,
      store,
      keystore,
      manifest,
      network,
      feed,
      membership,
      institutions,
      issuerKeys,
      institution,
      endorsements: new EndorsementService({ feed, membership, schemas }),
      accreditations: new AccreditationService({ feed, membership, institutions, schemas, ...(manifest.qaAgencies ? { agencies: manifest.qaAgencies } : {}) }),
      reference,
      referencePolicy,
      referencePublisher: new ReferencePublisher({ feed, schemas, authority: referencePolicy, membership, registry: reference }),
      issuerKeyLifecycle: new IssuerKeyLifecycle({ institution, statusLists: credentials }),
      catalogue,
      skillsInUse: new SkillsInUse({ store, catalogue }),
      credits,
      recognition,
      statusLists,
      credentials,
      mailer,
      oid4vci: new Oid4vciService({
        clock,
        logger: logger.child({ part: 'oid4vci' }),
        secret: keystore.institution.seed,
        publicUrl: () => publicUrl.get(),
        issuerName: () => nameOf(institutions.get(keystore.institution.did), keystore.institution.did),
        claim: (token) => credentials.claim(token),
        signer: () => credentials.lists.signers.signer(),
      }),
      adminTokens: new AdminTokens(store),
      ownFeed,
      startedAt: clock.now(),
      publicUrl,
      freshness,
    };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** How long a client may take to send its request headers, and its whole request (body included), and how often that is checked. */
export const HTTP_HEADERS_TIMEOUT_MS = 20_000;
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
export const HTTP_TIMEOUT_CHECK_MS = 5_000;

export class MochilaNode {
  private server: Server | null = null;
  /** The express app the server runs (tests read its registered routes). */
  httpApp: Express | null = null;
  replicator: Replicator | null = null;
  private checkpointer: WalCheckpointer | null = null;
  private stopping: Promise<void> | null = null;
  private unsubscribeOwnFeed: (() => void) | null = null;

  constructor(
    readonly services: Services,
    private readonly opts: NodeOverrides = {},
  ) {}

  get did(): string {
    return this.services.keystore.institution.did;
  }

  get httpUrl(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new RegistryError('internal', 'HTTP server not started');
    const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  async start(): Promise<void> {
    const s = this.services;
    this.checkpointer = new WalCheckpointer({ store: s.store, logger: s.logger.child({ part: 'store' }) });
    await this.checkpointer.start();
    const federated = this.opts.federation !== false && s.config.p2pPort >= 0;
    const bootstrap = [...new Set([...s.config.bootstrap, ...(s.manifest.bootstrap ?? [])])];
    this.decideOwnFeed(federated, bootstrap);
    if (s.config.mirror) s.logger.info('read mirror: replicates every member\'s feed and serves the public API; publishes nothing', { did: s.feed.author });
    // claim-link e-mail: messages queued before a stop are sent now, new ones as they are queued
    s.mailer?.start();
    const interrupted = s.credentials.recoverInterruptedJobs();
    if (interrupted) s.logger.warn('batch jobs interrupted by the last stop were marked failed', { jobs: interrupted });
    // this node's own writes at start (an issuer key not yet in its feed, status lists left unpublished) wait until
    // its own feed is confirmed current: after a lost database they would fork it
    const publishOwn = async () => {
      s.institution.ensureIssuerKeyPublished();
      await s.credentials.publishPending();
      // a compromise declared while this node was down (or by a CLI that stopped midway), or lists an older version
      // re-signed with a later key: each list goes back to the key that should sign it
      const resigned = await s.credentials.resignStatusLists();
      if (resigned.length) s.logger.warn('status lists re-signed with the key that should sign them', { lists: resigned });
    };
    // a read mirror has no feed of its own: nothing to publish, nothing waits for a confirmation
    if (s.config.mirror) {
      /* publishes nothing */
    } else if (s.ownFeed.state().confirmed) await publishOwn();
    else {
      s.logger.warn('this node will not publish until its own feed is confirmed current by a peer', { reason: s.ownFeed.state().detail });
      this.unsubscribeOwnFeed = s.ownFeed.onConfirmed(() => {
        if (!this.stopping) void publishOwn().catch((e: unknown) => s.logger.error('publishing after the own feed was confirmed failed', { error: String(e) }));
      });
    }
    // GET /metrics (node.json "metrics" / "metricsToken"): prom-client is loaded only when it is enabled
    const metrics = s.config.metrics.enabled
      ? new (await import('./ops/metrics.js')).NodeMetrics({ store: s.store, clock: s.clock, replication: () => this.replicator, ownFeedConfirmed: () => s.ownFeed.state().confirmed })
      : null;
    if (federated) {
      // loaded only when replication runs: libp2p is most of the CLI's start-up time
      const { BatchDecoder, DEFAULT_DECODER_THREADS } = await import('./federation/batch-decoder.js');
      const replicationLogger = s.logger.child({ part: 'replication' });
      const threads = this.opts.replication?.batchWorkers ?? s.config.syncWorkers ?? DEFAULT_DECODER_THREADS;
      const minEntries = this.opts.replication?.batchWorkerMinEntries;
      const decoder = new BatchDecoder({ schemas: s.schemas, logger: replicationLogger, threads, ...(minEntries !== undefined ? { minEntries } : {}) });
      void decoder.start(); // its workers load while libp2p is imported
      const { Replicator } = await import('./federation/replicator.js');
      this.replicator = new Replicator({
        // entries the replica refuses are counted by reason code for /metrics
        replica: metrics ? countingReplica(s.feed, metrics) : s.feed,
        seed: s.keystore.institution.seed,
        logger: replicationLogger,
        clock: s.clock,
        members: () => s.membership.members().map((m) => m.did),
        // read mirrors named in node.json "mirrors" are served outside the bound on non-member rounds
        mirrors: s.config.mirrors,
        authorPolicy: s.membership,
        ownFeed: s.ownFeed,
        decoder,
        ...(metrics ? { metrics } : {}),
        options: {
          listenHost: s.config.p2pHost,
          listenPort: s.config.p2pPort,
          bootstrap,
          mdns: s.config.mdns,
          // through campus firewalls (README): no listening port, libp2p over WebSocket on the HTTP port, relaying
          tcpListen: s.config.p2pListen === 'tcp',
          ...(s.config.p2pWs ? { wsPath: s.config.p2pWs } : {}),
          relay: s.config.p2pRelay,
          ...this.opts.replication,
        },
      });
      await this.replicator.start();
      s.freshness.attach(this.replicator);
    }
    if (this.opts.http !== false) {
      // the HTTP app and its routes (express, the PDF certificate, QR codes) load only when a node serves HTTP, so a
      // one-shot CLI command (init, issue, verify…) does not pay for them at start-up
      const [{ createHttpApp }, { recognitionRoutes }, { referenceRoutes }, { credentialRoutes }, { claimRoutes }, { oid4vciRoutes }, { networkRoutes }, { metricsRoutes }, { skillsRoutes }] = await Promise.all([
        import('./http/app.js'),
        import('./http/routes/recognition.routes.js'),
        import('./http/routes/reference.routes.js'),
        import('./http/routes/credentials.routes.js'),
        import('./http/routes/claims.routes.js'),
        import('./http/routes/oid4vci.routes.js'),
        import('./http/routes/network.routes.js'),
        import('./http/routes/metrics.routes.js'),
        import('./http/routes/skills.routes.js'),
      ]);
      const app = createHttpApp(s, {
        publicUrl: s.publicUrl,
        p2p: () => (this.replicator ? { peerId: this.replicator.peerId, addresses: this.replicator.addresses() } : null),
        routes: [recognitionRoutes({ ...s, publicUrl: () => s.publicUrl.get() }, lookupVerifier(s)), referenceRoutes(s), credentialRoutes(s), claimRoutes({ ...s, publicUrl: () => s.publicUrl.get() }), oid4vciRoutes(s), networkRoutes(s, this.replicator), metricsRoutes(s.config, metrics), skillsRoutes(s)],
        ...(metrics ? { metrics } : {}),
      });
      this.httpApp = app;
      // slow clients are cut: headers within HTTP_HEADERS_TIMEOUT_MS, the whole request (body included) within
      // HTTP_REQUEST_TIMEOUT_MS (Node's defaults are 60 s and 300 s), checked every HTTP_TIMEOUT_CHECK_MS
      const srv = createServer({ requestTimeout: HTTP_REQUEST_TIMEOUT_MS, headersTimeout: HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS }, app);
      this.server = await new Promise<Server>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(s.config.httpPort, s.config.httpHost, () => resolve(srv));
      });
      this.server.keepAliveTimeout = 5_000;
      s.publicUrl.listening(this.httpUrl);
      const replicator = this.replicator;
      if (replicator && s.config.p2pWs) {
        // libp2p over WebSocket on this port (federation/ws-gateway.ts); any other upgrade request is refused
        const { refuseUpgrade, wsAddressFor } = await import('./federation/ws-gateway.js');
        replicator.announceWebSocket(wsAddressFor(s.publicUrl.get(), s.config.p2pWs).toString());
        this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          if (!replicator.handleUpgrade(req, socket, head)) refuseUpgrade(socket, 404);
        });
      }
      s.logger.info('http listening', { url: this.httpUrl });
    }
  }

  /**
   * Whether this node may publish (see OwnFeedGate). Every start forgets the last run's confirmation, since a
   * database restored from a backup carries it too: only the operator's `--standalone`, or being provably alone,
   * confirms the own feed here; otherwise the replicator does, after a sync round with a member peer.
   */
  private decideOwnFeed(federated: boolean, bootstrap: string[]): void {
    const s = this.services;
    if (s.config.mirror) return; // never writable (OwnFeedGate)
    const self = s.feed.author;
    if (s.config.standalone) {
      s.ownFeed.confirm('standalone', 'the operator started this node as standalone (alone or first of its network, its database current)');
      return;
    }
    const others = new Set([
      ...s.manifest.founders,
      ...s.membership
        .members()
        .filter((m) => m.status === 'founder' || m.status === 'admitted')
        .map((m) => m.did),
    ]);
    others.delete(self);
    const own = s.feed.head(self);
    // nobody else can hold entries of this feed: no other member, no peer to ask (a lost database has no own entry)
    if (own && others.size === 0 && bootstrap.length === 0 && !s.config.mdns) {
      s.ownFeed.confirm('alone', 'the only member of its network, with no peers configured, and its own feed is in its database');
      return;
    }
    s.ownFeed.unconfirm(
      !own
        ? 'this database holds no entry of this node\'s own feed (a new or replaced database); it must first recover the feed from a peer'
        : !federated
          ? 'replication is disabled (p2p port -1) while its network has other members that may hold newer entries of this node\'s own feed'
          : 'it is waiting for a sync round with a member peer to confirm that its database holds the latest entries of its own feed',
    );
  }

  /**
   * Stops replication, credential jobs and HTTP, then closes SQLite. Idempotent. Replication stops first and is
   * waited for without a time limit: it takes no new entry from that moment and its in-flight rounds end at their
   * next step (Replicator.stop), so the store is never closed under a round still storing a batch. Credential jobs
   * and the HTTP server get `timeoutMs`.
   */
  stop(timeoutMs = 5_000): Promise<void> {
    if (!this.stopping) {
      this.unsubscribeOwnFeed?.();
      this.stopping = (async () => {
        const s = this.services;
        const replication = this.replicator?.stop(timeoutMs);
        const work = (async () => {
          await Promise.race([s.credentials.stop(), new Promise((r) => setTimeout(r, timeoutMs / 2).unref())]);
          await Promise.race([s.mailer?.stop(), new Promise((r) => setTimeout(r, timeoutMs / 4).unref())]);
          if (this.server) {
            const srv = this.server;
            await new Promise<void>((resolve) => {
              srv.close(() => resolve());
              srv.closeAllConnections?.();
            });
          }
        })();
        await Promise.race([work, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
        await replication; // the last write replication can make is behind us
        await this.checkpointer?.stop();
        s.store.close();
      })();
    }
    return this.stopping;
  }
}

export async function startNode(config: NodeConfig, o: NodeOverrides = {}): Promise<MochilaNode> {
  const node = new MochilaNode(buildServices(config, o), o);
  try {
    await node.start();
  } catch (e) {
    await node.stop();
    throw e;
  }
  return node;
}
