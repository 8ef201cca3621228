import { getMetadataStorage } from 'class-validator';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { AppEnv } from '../../src/config/app.config.js';
import { checkEnv, readEnv } from '../../src/config/env.util.js';
import { ENV_CLASSES } from '../../src/config/env.validation.js';
import { SchedulerEnv } from '../../src/config/scheduler.config.js';
import { createTestApp } from '../utils/test-app.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML */
type Manifest = Record<string, any>;

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Every variable the validated config schema knows. */
const SCHEMA = new Set(
  ENV_CLASSES.flatMap((cls) =>
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  ),
);

// ---------- Kubernetes ----------
const K8S_FILES = readdirSync(join(ROOT, 'k8s')).filter((f) =>
  /\.ya?ml$/.test(f),
);
const manifests: { file: string; doc: Manifest }[] = K8S_FILES.flatMap((file) =>
  parseAllDocuments(read(`k8s/${file}`)).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return { file, doc: d.toJS() as Manifest };
  }),
);
const byKind = (kind: string): Manifest[] =>
  manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const named = (kind: string, name: string): Manifest => {
  const found = byKind(kind).find((m) => m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configMap = named('ConfigMap', 'panel-config');
const secretExample = named('Secret', 'panel-secrets');
const deployments = byKind('Deployment');
const job = named('Job', 'panel-migrate');
const podSpecs = [...deployments, job].map((w) => ({
  name: w.metadata.name as string,
  spec: w.spec.template.spec as Manifest,
}));

/** A container's environment as the app sees it: envFrom ConfigMap/Secret, then env entries. */
function effectiveEnv(container: Manifest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef?.name === 'panel-config')
      Object.assign(env, configMap.data);
    if (from.secretRef?.name === 'panel-secrets')
      Object.assign(env, secretExample.stringData);
  }
  for (const e of container.env ?? []) env[e.name] = String(e.value ?? '');
  return env;
}

// ---------- Dockerfile ----------
interface Instruction {
  op: string;
  args: string;
}
const dockerfile: Instruction[] = read('Dockerfile')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
const stages = dockerfile.reduce<Instruction[][]>((acc, ins) => {
  if (ins.op === 'FROM') acc.push([]);
  acc.at(-1)?.push(ins);
  return acc;
}, []);
const runtime = stages.at(-1) ?? [];
const last = (op: string): string | undefined =>
  runtime.filter((i) => i.op === op).at(-1)?.args;
const dockerEnv: Record<string, string> = Object.fromEntries(
  runtime
    .filter((i) => i.op === 'ENV')
    .flatMap((i) =>
      [...i.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [
        m[1],
        m[2],
      ]),
    ),
);

// ---------- docker compose ----------
const compose = parse(read('docker-compose.yml'), { merge: true }) as Manifest;
const appServices = Object.entries(
  compose.services as Record<string, Manifest>,
).filter(([, s]) => s.build !== undefined || s.image === 'panel:local');
const isMigrate = (command: unknown): boolean =>
  Array.isArray(command) && command.join(' ').includes('dist/cli/migrate.js');

const appPort = (env: Record<string, string>): number =>
  readEnv(AppEnv, env).PORT;
const schedulerOn = (env: Record<string, string>): boolean =>
  readEnv(SchedulerEnv, env).SCHEDULER_ENABLED;

describe('deployment manifests (Dockerfile, docker-compose, k8s/)', () => {
  it('kustomization lists every manifest (the secret example and the optional ingress excepted), and they exist', () => {
    const kustomization = parse(read('k8s/kustomization.yaml')) as Manifest;
    const resources = kustomization.resources as string[];
    for (const r of resources)
      expect(existsSync(join(ROOT, 'k8s', r))).toBe(true);
    const expected = K8S_FILES.filter(
      (f) =>
        !['kustomization.yaml', 'secret.example.yaml', 'ingress.yaml'].includes(
          f,
        ),
    ).sort();
    expect([...resources].sort()).toEqual(expected);
    expect(resources).not.toContain('secret.example.yaml');
    for (const kind of [
      'Namespace',
      'ConfigMap',
      'Secret',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Job',
      'Ingress',
    ])
      expect(byKind(kind).length).toBeGreaterThanOrEqual(1);
  });

  it('every environment variable named anywhere is in the config schema, and the values validate', () => {
    const names = new Set<string>([
      ...Object.keys(configMap.data),
      ...Object.keys(secretExample.stringData),
      ...podSpecs.flatMap((p) =>
        (p.spec.containers as Manifest[]).flatMap((c) =>
          (c.env ?? []).map((e: Manifest) => e.name),
        ),
      ),
      ...Object.keys(dockerEnv),
      ...appServices.flatMap(([, s]) => Object.keys(s.environment ?? {})),
    ]);
    const unknown = [...names].filter((n) => !SCHEMA.has(n));
    expect(unknown).toEqual([]);
    // The non-secret values are valid for their variables (production secrets are checked at start).
    expect(ENV_CLASSES.flatMap((cls) => checkEnv(cls, configMap.data))).toEqual(
      [],
    );
  });

  it('the container port is the app port everywhere: Dockerfile, compose, Deployments, Service, probes', () => {
    const port = appPort({ ...dockerEnv, ...configMap.data });
    expect(last('EXPOSE')).toBe(String(port));
    expect(appPort(dockerEnv)).toBe(port);
    for (const { name, spec } of podSpecs.filter(
      (p) => p.name !== 'panel-migrate',
    )) {
      for (const c of spec.containers as Manifest[]) {
        expect({ name, port: appPort(effectiveEnv(c)) }).toEqual({
          name,
          port,
        });
        const http = (c.ports as Manifest[]).find((p) => p.name === 'http');
        expect({ name, containerPort: http?.containerPort }).toEqual({
          name,
          containerPort: port,
        });
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          expect(c[probe].httpGet.port).toBe('http');
      }
    }
    const service = named('Service', 'panel-api');
    expect(service.spec.ports[0].targetPort).toBe('http');
    for (const [, s] of appServices.filter(([, s]) => !isMigrate(s.command))) {
      const env = {
        ...dockerEnv,
        ...(s.environment as Record<string, string>),
      };
      const mapped = (s.ports as string[]).map((p) =>
        Number(String(p).split(':').at(-1)),
      );
      expect(mapped).toEqual([appPort(env)]);
    }
  });

  it('probe paths (k8s probes, Dockerfile HEALTHCHECK) exist in the app: liveness /health, readiness /ready', async () => {
    const paths = new Set<string>();
    for (const { spec } of podSpecs)
      for (const c of spec.containers as Manifest[])
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          if (c[probe]) paths.add(c[probe].httpGet.path as string);
    const healthcheck = last('HEALTHCHECK') ?? '';
    const dockerPath = /'(\/[a-z-]+)'/.exec(healthcheck)?.[1];
    expect(dockerPath).toBe('/health');
    paths.add(dockerPath as string);
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      expect(c.livenessProbe.httpGet.path).toBe('/health');
      expect(c.readinessProbe.httpGet.path).toBe('/ready');
    }
    const t = await createTestApp();
    try {
      for (const path of paths) await t.http().get(path).expect(200);
    } finally {
      await t.close();
    }
  });

  it('the image and every pod run as a non-root user with a read-only root filesystem', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = last('USER') ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/); // numeric, so Kubernetes can verify it
    for (const { name, spec } of podSpecs) {
      expect({
        name,
        runAsNonRoot: spec.securityContext?.runAsNonRoot,
      }).toEqual({
        name,
        runAsNonRoot: true,
      });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of spec.containers as Manifest[]) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });

  it('the scheduler runs in exactly one place: one k8s Deployment of one replica, one compose service', () => {
    const scheduling = deployments.filter((d) =>
      (d.spec.template.spec.containers as Manifest[]).some((c) =>
        schedulerOn(effectiveEnv(c)),
      ),
    );
    expect(scheduling.map((d) => d.metadata.name)).toEqual(['panel-scheduler']);
    expect(scheduling[0].spec.replicas).toBe(1);
    expect(scheduling[0].spec.strategy.type).toBe('Recreate');
    expect(
      schedulerOn(effectiveEnv(job.spec.template.spec.containers[0])),
    ).toBe(false);
    for (const hpa of byKind('HorizontalPodAutoscaler'))
      expect(hpa.spec.scaleTargetRef.name).not.toBe('panel-scheduler');
    // The Service routes traffic to the API only.
    expect(
      named('Service', 'panel-api').spec.selector[
        'app.kubernetes.io/component'
      ],
    ).toBe('api');

    const servers = appServices.filter(([, s]) => !isMigrate(s.command));
    const composeScheduling = servers.filter(([, s]) =>
      schedulerOn({
        ...dockerEnv,
        ...(s.environment as Record<string, string>),
      }),
    );
    expect(composeScheduling).toHaveLength(1);
    expect(composeScheduling[0][1].deploy?.replicas ?? 1).toBe(1);
  });

  it('the API: ≥ 2 replicas, HPA min ≥ 2, a PDB, scheduler off, graceful termination covers preStop + SHUTDOWN_GRACE_S', () => {
    const api = named('Deployment', 'panel-api');
    expect(api.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(
      named('HorizontalPodAutoscaler', 'panel-api').spec.minReplicas,
    ).toBeGreaterThanOrEqual(2);
    expect(
      named('PodDisruptionBudget', 'panel-api').spec.selector.matchLabels,
    ).toEqual(api.spec.selector.matchLabels);
    const container = api.spec.template.spec.containers[0];
    const env = effectiveEnv(container);
    expect(schedulerOn(env)).toBe(false);
    const preStop = container.lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const grace = readEnv(AppEnv, env).SHUTDOWN_GRACE_S;
    for (const d of deployments)
      expect(
        d.spec.template.spec.terminationGracePeriodSeconds,
      ).toBeGreaterThan(Number(preStop[1]) + grace);
  });

  it('migrations run as an explicit step: the Job and the compose one-shot run the compiled CLI', () => {
    expect(job.spec.template.spec.containers[0].command).toEqual([
      'node',
      'dist/cli/migrate.js',
    ]);
    expect(existsSync(join(ROOT, 'src/cli/migrate.ts'))).toBe(true);
    const [name, migrate] =
      appServices.find(([, s]) => isMigrate(s.command)) ??
      ([] as unknown as [string, Manifest]);
    expect(name).toBe('migrate');
    const app = compose.services.app as Manifest;
    expect(app.depends_on.migrate.condition).toBe(
      'service_completed_successfully',
    );
    expect(app.depends_on.mysql.condition).toBe('service_healthy');
    expect(app.depends_on.redis.condition).toBe('service_healthy');
    expect(compose.services.mysql.image).toMatch(/^mysql:8/);
    expect(compose.services.redis.image).toMatch(/^redis:7/);
    expect(migrate.restart).toBe('no');
  });

  it('the Dockerfile builds with dev deps, ships production deps only and starts dist/main.js', () => {
    const runs = (stage: Instruction[]) =>
      stage.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(
      stages.some((s) => runs(s).some((r) => /npm ci(?!.*--omit=dev)/.test(r))),
    ).toBe(true);
    expect(
      stages.some((s) => runs(s).some((r) => r.includes('npm ci --omit=dev'))),
    ).toBe(true);
    expect(JSON.parse(last('CMD') ?? '[]')).toEqual(['node', 'dist/main.js']);
    expect(last('HEALTHCHECK')).toContain('/health');
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', '.env', 'dist', '.git'])
      expect(ignored).toContain(p);
  });

  it('the secret example holds placeholders only', () => {
    for (const [key, value] of Object.entries(
      secretExample.stringData as Record<string, string>,
    ))
      expect({
        key,
        placeholder: value === '' || /change-me/i.test(value),
      }).toEqual({
        key,
        placeholder: true,
      });
  });
});
