// The Kubernetes manifests as an operator applies them: both overlays render, every object is one the API accepts,
// and they fit Desk itself — its settings, its routes and ports, its user, its shutdown and its migrations.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  type IContainer,
  type IPodSpec,
  Namespace,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigError, describeSettings, loadConfig } from '../../src/platform/config.ts';
import { SHUTDOWN_GRACE_MS } from '../../src/platform/lifecycle.ts';
import { useDesk } from '../support/desk.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const OVERLAYS = join(DEPLOY, 'kubernetes', 'overlays');

// After SIGTERM Desk finishes in-flight requests for this long before it gives up.
const SHUTDOWN_GRACE_SECONDS = SHUTDOWN_GRACE_MS / 1000;

const KNOWN_SETTINGS = new Set(describeSettings().map((s) => s.name));

// The Secret desk-secrets as the README has operators create it: each key shaped as Desk expects, values made up.
const SECRET_PLACEHOLDERS: Record<string, string> = {
  SECRET_KEY: 'placeholder-secret-key-longer-than-32-characters',
  DATABASE_URL: 'postgres://desk:placeholder@postgres.example.gouv.fr:5432/desk',
  REDIS_URL: 'rediss://:placeholder@redis.example.gouv.fr:6380/0',
  OIDC_RP_CLIENT_SECRET: 'placeholder',
  OIDC_RS_CLIENT_SECRET: 'placeholder',
  EMAIL_HOST_PASSWORD: 'placeholder',
  MAIL_PROVISIONING_API_CREDENTIALS: 'ZGVzazpwbGFjZWhvbGRlcg==',
  POSTGRES_PASSWORD: 'placeholder',
};

/** The API's schemas for every kind the manifests may hold; anything else fails the validation test. */
const MODELS: { apiVersion: string; kind: string; new (data: never): { validate(): void } }[] = [
  Namespace,
  ServiceAccount,
  ConfigMap,
  Secret,
  Service,
  PersistentVolumeClaim,
  Deployment,
  StatefulSet,
  Job,
  Ingress,
  NetworkPolicy,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
];

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

interface Pod {
  /** e.g. Deployment/desk */
  owner: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: IPodSpec;
}

function kubectl(...args: string[]) {
  return spawnSync('kubectl', args, { encoding: 'utf8' });
}

const HAS_KUBECTL = !kubectl('version', '--client').error;

function render(overlay: string) {
  const result = kubectl('kustomize', join(OVERLAYS, overlay));
  const objects = parseAllDocuments(result.stdout ?? '')
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
  return { status: result.status, warnings: result.stderr ?? '', objects };
}

/** The objects of one kind, typed by its model's guard (e.g. Service.is). */
function ofKind<T>(objects: KubeObject[], is: (value: unknown) => value is T): T[] {
  const found: T[] = [];
  for (const o of objects) if (is(o)) found.push(o);
  return found;
}

function podsOf(objects: KubeObject[]): Pod[] {
  const pods: Pod[] = [];
  for (const o of objects) {
    const template = Deployment.is(o) || StatefulSet.is(o) || Job.is(o) ? o.spec?.template : undefined;
    if (!template?.spec) continue;
    pods.push({
      owner: `${o.kind}/${o.metadata.name}`,
      labels: template.metadata?.labels ?? {},
      annotations: template.metadata?.annotations ?? {},
      spec: template.spec,
    });
  }
  return pods;
}

const isDesk = (pod: Pod) => pod.labels['app.kubernetes.io/name'] === 'desk';
const containersOf = (pod: Pod): IContainer[] => [...(pod.spec.initContainers ?? []), ...pod.spec.containers];

function matches(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string>,
) {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

function portNumber(container: IContainer, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** A container's environment as Desk would read it: ConfigMaps by envFrom, then env (Secret values as placeholders). */
function environmentOf(container: IContainer, objects: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = ofKind(objects, ConfigMap.is).find((c) => c.metadata?.name === source.configMapRef?.name);
    if (!map)
      throw new Error(`${container.name}: envFrom names ${JSON.stringify(source)}, which is not rendered`);
    Object.assign(env, map.data);
  }
  for (const variable of container.env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    const value = variable.value ?? (key ? SECRET_PLACEHOLDERS[key] : undefined);
    if (value === undefined)
      throw new Error(`${container.name}: no value nor known Secret key for ${variable.name}`);
    env[variable.name] = value;
  }
  return env;
}

function secretKeysOf(container: IContainer): string[] {
  return (container.env ?? [])
    .map((v) => v.valueFrom?.secretKeyRef?.key)
    .filter((k): k is string => Boolean(k))
    .sort();
}

/** The uid the image runs as: the last USER of the Dockerfile. */
function imageUid(): number {
  const users = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^USER\s+(\S+)/gm)];
  return Number(users.at(-1)?.[1]?.split(':')[0]);
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

describe('the deployment files in the repository', () => {
  it('define no Secret with a value and generate none: secrets are created in the cluster', () => {
    const found: string[] = [];
    for (const file of yamlFilesUnder(DEPLOY)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const o = doc.toJS() as (Record<string, unknown> & { kind?: string }) | null;
        const where = relative(ROOT, file);
        if (o?.kind === 'Secret' && ('data' in o || 'stringData' in o))
          found.push(`${where}: a Secret with data`);
        if (o?.kind === 'Kustomization' && 'secretGenerator' in o) found.push(`${where}: a secretGenerator`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe.runIf(HAS_KUBECTL)(
  HAS_KUBECTL
    ? 'the Kubernetes overlays'
    : 'the Kubernetes overlays (SKIPPED: kubectl is not installed here; CI installs it)',
  () => {
    // A Desk on a test database: the probes' paths must be routes it answers.
    const t = useDesk();

    describe.each(['dev', 'production'])('overlays/%s', (overlay) => {
      const rendering = render(overlay);
      const { objects } = rendering;
      const pods = podsOf(objects);
      const deskPods = pods.filter(isDesk);
      const server = deskPods.find((p) => p.owner === 'Deployment/desk');
      const serverContainer = server?.spec.containers.find((c) => c.name === 'desk');
      const serverEnv = () => environmentOf(serverContainer!, objects);

      it('renders with `kubectl kustomize`, without a warning', () => {
        expect(rendering.warnings).toBe('');
        expect(rendering.status).toBe(0);
        expect(server, 'a Deployment desk with a container desk').toBeDefined();
        expect(serverContainer).toBeDefined();
      });

      it('holds only objects the Kubernetes API accepts, checked against its schemas', () => {
        const problems: string[] = [];
        for (const o of objects) {
          const Model = MODELS.find((m) => m.apiVersion === o.apiVersion && m.kind === o.kind);
          if (!Model) {
            problems.push(`${o.apiVersion} ${o.kind} ${o.metadata.name}: no schema known to this test`);
            continue;
          }
          try {
            new Model(o as never).validate();
          } catch (err) {
            problems.push(`${o.kind} ${o.metadata.name}: ${(err as Error).message}`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('defines no Secret: desk-secrets is created by the operator, and every reference names it', () => {
        expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
        for (const pod of deskPods) {
          for (const container of containersOf(pod))
            for (const variable of container.env ?? [])
              if (variable.valueFrom?.secretKeyRef)
                expect(variable.valueFrom.secretKeyRef.name, `${pod.owner} ${variable.name}`).toBe(
                  'desk-secrets',
                );
          for (const volume of pod.spec.volumes ?? [])
            if (volume.secret)
              expect(volume.secret.secretName, `${pod.owner} ${volume.name}`).toBe('desk-secrets');
        }
      });

      it('passes Desk only settings it knows, so a misspelt one cannot be silently ignored', () => {
        const unknown: string[] = [];
        for (const pod of deskPods)
          for (const container of containersOf(pod))
            for (const name of Object.keys(environmentOf(container, objects)))
              if (!KNOWN_SETTINGS.has(name)) unknown.push(`${pod.owner}: ${name}`);
        expect(unknown).toEqual([]);
      });

      it('gives `desk start` and `desk migrate` settings they accept, with the Secret filled in', () => {
        const problems: string[] = [];
        for (const pod of deskPods)
          for (const container of containersOf(pod)) {
            try {
              const config = loadConfig(environmentOf(container, objects));
              if (overlay === 'production') {
                expect(config.isProduction, pod.owner).toBe(true);
                expect(config.DESK_DEV_IDP || config.DEBUG, pod.owner).toBe(false);
              }
            } catch (err) {
              if (!(err instanceof ConfigError)) throw err;
              problems.push(`${pod.owner}: ${err.message}`);
            }
          }
        expect(problems).toEqual([]);
      });

      it('probes the routes Desk serves for liveness and readiness, on the port Desk listens on', async () => {
        const container = serverContainer!;
        const port = Number(serverEnv().PORT);
        const probes = {
          startup: container.startupProbe?.httpGet,
          liveness: container.livenessProbe?.httpGet,
          readiness: container.readinessProbe?.httpGet,
        };
        expect({
          startup: probes.startup?.path,
          liveness: probes.liveness?.path,
          readiness: probes.readiness?.path,
        }).toEqual({
          startup: '/__lbheartbeat__',
          liveness: '/__lbheartbeat__',
          readiness: '/__heartbeat__',
        });
        for (const probe of Object.values(probes)) {
          expect(portNumber(container, probe?.port)).toBe(port);
          // Desk answers 200 there (readiness: while its database and store answer).
          const res = await t.browser().get(probe!.path!);
          expect(res.status, probe!.path).toBe(200);
        }
      });

      it('runs every container as a non-root user, on a read-only root filesystem, with no capability', () => {
        const problems: string[] = [];
        for (const pod of pods)
          for (const container of containersOf(pod)) {
            const where = `${pod.owner} ${container.name}`;
            const podContext = pod.spec.securityContext ?? {};
            const context = container.securityContext ?? {};
            const runAsNonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
            const runAsUser = context.runAsUser ?? podContext.runAsUser;
            const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
            if (runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
            if (runAsUser === undefined || runAsUser === 0)
              problems.push(`${where}: runAsUser is ${runAsUser}`);
            if (context.readOnlyRootFilesystem !== true) problems.push(`${where}: writable root filesystem`);
            if (context.allowPrivilegeEscalation !== false)
              problems.push(`${where}: privilege escalation allowed`);
            if (!context.capabilities?.drop?.includes('ALL'))
              problems.push(`${where}: capabilities not all dropped`);
            if (seccomp !== 'RuntimeDefault') problems.push(`${where}: seccomp profile ${seccomp}`);
          }
        expect(problems).toEqual([]);
      });

      it("runs Desk as the image's own user (the Dockerfile's USER)", () => {
        for (const pod of deskPods)
          for (const container of containersOf(pod))
            expect(
              container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser,
              pod.owner,
            ).toBe(imageUid());
      });

      it('gives every container resource requests and limits (the autoscaler needs the CPU request)', () => {
        for (const pod of pods)
          for (const container of containersOf(pod)) {
            const { requests, limits } = container.resources ?? {};
            expect(
              [requests?.cpu, requests?.memory, limits?.memory],
              `${pod.owner} ${container.name}`,
            ).not.toContain(undefined);
          }
      });

      it('lets in-flight requests finish before the pod is killed', () => {
        const command = serverContainer!.lifecycle?.preStop?.exec?.command ?? [];
        expect(command[0]).toBe('sleep');
        const preStopSeconds = Number(command[1]);
        expect(preStopSeconds).toBeGreaterThan(0);
        expect(server!.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
          preStopSeconds + SHUTDOWN_GRACE_SECONDS,
        );
      });

      it('migrates with `desk migrate` in a Job, from the same image and settings, with no more secrets', () => {
        const job = deskPods.find((p) => p.owner === 'Job/desk-migrate');
        expect(job, 'a Job desk-migrate').toBeDefined();
        const [container] = job!.spec.containers;
        expect([...(container!.command ?? []), ...(container!.args ?? [])]).toContain('migrate');
        expect(container!.image).toBe(serverContainer!.image);
        expect(container!.envFrom).toEqual(serverContainer!.envFrom);
        const serverKeys = secretKeysOf(serverContainer!);
        for (const key of secretKeysOf(container!)) expect(serverKeys).toContain(key);
        expect(job!.spec.restartPolicy).toBe('Never');
      });

      it("mounts the resource server's private key read-only, where OIDC_RS_PRIVATE_KEY_FILE points", () => {
        const file = serverEnv().OIDC_RS_PRIVATE_KEY_FILE;
        const mount = serverContainer!.volumeMounts?.find((m) => file?.startsWith(`${m.mountPath}/`));
        expect(mount, `a volume mounted above ${file}`).toBeDefined();
        expect(mount!.readOnly).toBe(true);
        const volume = server!.spec.volumes?.find((v) => v.name === mount!.name);
        const item = volume?.secret?.items?.find((i) => `${mount!.mountPath}/${i.path}` === file);
        expect(item, 'a Secret item at that path').toBeDefined();
      });

      it('keeps /tmp writable in an emptyDir: the only place a read-only container may write', () => {
        for (const pod of deskPods) {
          const container = pod.spec.containers[0]!;
          const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
          expect(pod.spec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, pod.owner).toBeDefined();
        }
      });

      it('serves metrics on their own port, announced to Prometheus and kept out of the Service', () => {
        const env = serverEnv();
        const metricsPort = Number(env.METRICS_PORT);
        expect(metricsPort).toBeGreaterThan(0);
        expect(metricsPort).not.toBe(Number(env.PORT));
        expect(portNumber(serverContainer!, 'metrics')).toBe(metricsPort);
        expect(server!.annotations).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(metricsPort),
          'prometheus.io/path': '/metrics',
        });
        const service = ofKind(objects, Service.is).find((s) => s.metadata?.name === 'desk');
        const targets = (service?.spec?.ports ?? []).map((p) => portNumber(serverContainer!, p.targetPort));
        expect(targets).toEqual([Number(env.PORT)]);
      });

      it('spreads the server pods across nodes', () => {
        const spread = server!.spec.topologySpreadConstraints?.find(
          (c) => c.topologyKey === 'kubernetes.io/hostname',
        );
        expect(matches(spread?.labelSelector, server!.labels)).toBe(true);
        const antiAffinity =
          server!.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
        expect(
          antiAffinity?.some(
            (term) =>
              term.podAffinityTerm.topologyKey === 'kubernetes.io/hostname' &&
              matches(term.podAffinityTerm.labelSelector, server!.labels),
          ),
        ).toBe(true);
      });

      it('lets traffic into Desk only on its http and metrics ports, each from a named namespace', () => {
        const policies = ofKind(objects, NetworkPolicy.is);
        for (const pod of deskPods) {
          const covering = policies.filter((p) => matches(p.spec?.podSelector, pod.labels));
          const types = new Set(covering.flatMap((p) => p.spec?.policyTypes ?? []));
          expect([...types].sort(), pod.owner).toEqual(['Egress', 'Ingress']);
        }
        const rules = policies
          .filter((p) => matches(p.spec?.podSelector, server!.labels))
          .flatMap((p) => p.spec?.ingress ?? []);
        const ports = rules.flatMap((r) => (r.ports ?? []).map((p) => portNumber(serverContainer!, p.port)));
        const env = serverEnv();
        expect(ports.sort()).toEqual([Number(env.PORT), Number(env.METRICS_PORT)].sort());
        for (const rule of rules)
          expect(rule.from?.every((peer) => peer.namespaceSelector?.matchLabels)).toBe(true);
      });

      it('keeps a disruption budget on the server pods', () => {
        const budget = ofKind(objects, PodDisruptionBudget.is).find((p) =>
          matches(p.spec?.selector, server!.labels),
        );
        expect(budget, 'a PodDisruptionBudget selecting the server pods').toBeDefined();
      });

      it('leaves the pod count to the autoscaler: no replicas in a Deployment it scales, or an apply resets it', () => {
        const autoscaled = ofKind(objects, HorizontalPodAutoscaler.is).map((h) => h.spec?.scaleTargetRef);
        const counted = ofKind(objects, Deployment.is)
          .filter((d) => autoscaled.some((t) => t?.kind === 'Deployment' && t.name === d.metadata?.name))
          .filter((d) => d.spec?.replicas !== undefined)
          .map((d) => `Deployment/${d.metadata?.name}: replicas ${d.spec?.replicas}`);
        expect(counted).toEqual([]);
      });

      if (overlay === 'production') {
        const deployment = ofKind(objects, Deployment.is).find((d) => d.metadata?.name === 'desk');

        it('runs 3 pods or more through its autoscaler, and loses at most one to a drain', () => {
          const autoscaler = ofKind(objects, HorizontalPodAutoscaler.is)[0];
          expect(autoscaler?.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'desk' });
          expect(autoscaler?.spec?.minReplicas).toBeGreaterThanOrEqual(3);
          expect(deployment?.spec?.replicas).toBeUndefined();
          const budget = ofKind(objects, PodDisruptionBudget.is)[0]?.spec;
          expect(budget?.maxUnavailable === 1 || Number(budget?.minAvailable) >= 2).toBe(true);
        });

        it('takes the emails ProConnect sends as verified (it verifies them all), so invitations reach new agents', () => {
          const config = loadConfig(serverEnv());
          expect(config.OIDC_OP_URL).toMatch(/^https:\/\/[\w.-]*(agentconnect|proconnect)\.gouv\.fr\//);
          expect(config.OIDC_TRUST_PROVIDER_EMAILS).toBe(true);
        });

        it('runs a pinned release of the image, never latest', () => {
          const image = serverContainer!.image ?? '';
          expect(image).toMatch(/^[^@]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
          expect(image).not.toMatch(/:latest$/);
        });

        it('serves PUBLIC_URL, over https, on the Ingress host and its TLS certificate, through the Service', () => {
          const publicUrl = new URL(loadConfig(serverEnv()).PUBLIC_URL);
          expect(publicUrl.protocol).toBe('https:');
          const ingress = ofKind(objects, Ingress.is)[0];
          const rule = ingress?.spec?.rules?.find((r) => r.host === publicUrl.hostname);
          expect(rule, `an Ingress rule for ${publicUrl.hostname}`).toBeDefined();
          expect(ingress?.spec?.tls?.some((tls) => tls.hosts?.includes(publicUrl.hostname))).toBe(true);
          const backend = rule!.http!.paths[0]!.backend.service!;
          const service = ofKind(objects, Service.is).find((s) => s.metadata?.name === backend.name);
          expect(matches({ matchLabels: service?.spec?.selector }, server!.labels)).toBe(true);
          const servicePort = service?.spec?.ports?.find((p) => p.name === backend.port?.name);
          expect(portNumber(serverContainer!, servicePort?.targetPort)).toBe(Number(serverEnv().PORT));
        });
      }

      if (overlay === 'dev') {
        it('runs PostgreSQL 16 and Redis 7 in the namespace, behind Services on their usual ports', () => {
          const images = pods.flatMap((p) => p.spec.containers.map((c) => c.image));
          expect(images).toEqual(expect.arrayContaining(['postgres:16', 'redis:7']));
          const services = Object.fromEntries(
            ofKind(objects, Service.is).map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port]),
          );
          expect(services).toMatchObject({ postgres: 5432, redis: 6379 });
        });

        it('runs exactly one Desk pod, with no autoscaler: the development provider lives in the process', () => {
          expect(
            ofKind(objects, Deployment.is).find((d) => d.metadata?.name === 'desk')?.spec?.replicas,
          ).toBe(1);
          expect(ofKind(objects, HorizontalPodAutoscaler.is)).toEqual([]);
        });
      }
    });
  },
);
