/** The shell: header with navigation, datacenter picker and agent status, then the routed view. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AclPrompt } from './components/AclPrompt.js';
import { ErrorNote, Loading } from './components/Bits.js';
import { loadToken, makeClient, saveToken, SessionContext, useSession, type Session } from './client.js';
import { useAgentLost } from './data/connection.js';
import { plain, useLive } from './data/live.js';
import { installKeyboard } from './keyboard.js';
import { BASE, href, navigate, useRoute, type Route } from './router.js';
import { Cluster } from './views/Cluster.js';
import { KvCreate } from './views/KvCreate.js';
import { KvEdit } from './views/KvEdit.js';
import { KvFolder } from './views/KvFolder.js';
import { NodeDetail } from './views/NodeDetail.js';
import { Nodes } from './views/Nodes.js';
import { ServiceDetail } from './views/ServiceDetail.js';
import { Services } from './views/Services.js';
import { Token } from './views/Token.js';

const SECTIONS = [
  { key: 'services', label: 'Services', views: ['services', 'service'] },
  { key: 'nodes', label: 'Nodes', views: ['nodes', 'node'] },
  { key: 'kv/', label: 'Key/Value', views: ['kv', 'kv-edit', 'kv-create'] },
  { key: 'cluster', label: 'Cluster', views: ['cluster'] },
  { key: 'token', label: 'Token', views: ['token'] },
] as const;

const TITLES: Record<Route['view'], string> = {
  root: 'Proconsul',
  services: 'Services',
  service: 'Service',
  nodes: 'Nodes',
  node: 'Node',
  kv: 'Key/Value',
  'kv-edit': 'Key/Value',
  'kv-create': 'Key/Value',
  cluster: 'Cluster',
  token: 'Token',
  notfound: 'Not found',
};

export function App() {
  const route = useRoute();
  const [token, setTokenState] = useState(loadToken);
  const dc = route.view === 'root' ? '' : route.dc;
  const session: Session = useMemo(
    () => ({
      consul: makeClient(token, dc),
      dc,
      token,
      setToken: (t: string) => {
        saveToken(t);
        setTokenState(t);
      },
    }),
    [token, dc],
  );

  useEffect(() => installKeyboard((section) => navigate(`${BASE}${encodeURIComponent(dc)}/${section}`)), [dc]);
  useEffect(() => {
    const name = route.view === 'service' || route.view === 'node' ? route.name : route.view === 'kv-edit' ? route.key : '';
    document.title = `${name ? `${name} · ` : ''}${TITLES[route.view]} · Proconsul`;
  }, [route]);

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={route.view === 'root' ? BASE : href({ view: 'services', dc, filter: '', tag: '' })}>
          <span class="logo" aria-hidden="true" />
          Proconsul
        </a>
        {route.view !== 'root' ? (
          <nav class="nav" aria-label="main">
            {SECTIONS.map((s) => (
              <a key={s.key} href={`${BASE}${encodeURIComponent(dc)}/${s.key}`} aria-current={(s.views as readonly string[]).includes(route.view) ? 'page' : undefined}>
                {s.label}
              </a>
            ))}
          </nav>
        ) : null}
        {route.view !== 'root' ? <DatacenterPicker route={route} /> : null}
      </header>
      <AgentBanner />
      <AclPrompt />
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
      <footer class="foot muted">
        Keys: <kbd>/</kbd> search · <kbd>g</kbd> then <kbd>s</kbd>/<kbd>n</kbd>/<kbd>k</kbd>/<kbd>c</kbd>/<kbd>t</kbd> go to a view · <kbd>j</kbd>/<kbd>k</kbd> move in
        lists
      </footer>
    </SessionContext.Provider>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'root':
      return <Root />;
    case 'services':
      return <Services filter={route.filter} tag={route.tag} />;
    case 'service':
      return <ServiceDetail name={route.name} />;
    case 'nodes':
      return <Nodes filter={route.filter} />;
    case 'node':
      return <NodeDetail name={route.name} />;
    case 'kv':
      // A key given without /edit (e.g. a pasted path) opens the key.
      if (route.prefix !== '' && !route.prefix.endsWith('/')) return <KvEdit keyName={route.prefix} />;
      return <KvFolder prefix={route.prefix} />;
    case 'kv-edit':
      return <KvEdit keyName={route.key} />;
    case 'kv-create':
      return <KvCreate prefix={route.prefix} />;
    case 'cluster':
      return <Cluster />;
    case 'token':
      return <Token />;
    case 'notfound':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no view at <code>{route.path}</code>. <a href={href({ view: 'services', dc: route.dc, filter: '', tag: '' })}>Go to Services</a>.
          </p>
        </section>
      );
  }
}

/** /ui/ alone: find the agent's datacenter, then go to its Services (as Consul's UI does). */
function Root() {
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const consul = makeClient(loadToken(), undefined);
    let stop = false;
    void (async () => {
      for (let attempt = 0; attempt < 1000 && !stop; attempt++) {
        try {
          let dc: string | undefined;
          try {
            dc = (await consul.agent.self()).Config.Datacenter;
          } catch {
            dc = (await consul.catalog.datacenters())[0]; // agent:read may be denied to this token
          }
          if (!stop && dc) navigate(href({ view: 'services', dc, filter: '', tag: '' }), true);
          return;
        } catch (err) {
          setError(err);
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    })();
    return () => void (stop = true);
  }, []);
  return error ? <ErrorNote error={error} prefix="Cannot reach the agent" always /> : <Loading what="the agent" />;
}

function DatacenterPicker({ route }: { route: Exclude<Route, { view: 'root' }> }) {
  const { token, dc } = useSession();
  // Datacenters are listed by the agent itself (no ?dc=), whichever datacenter is shown.
  const consul = useMemo(() => makeClient(token, undefined), [token]);
  const dcs = useLive(plain((signal) => consul.catalog.datacenters({ signal })), [consul], { pollMs: 30_000 });
  const list = dcs.data ?? [];
  if (list.length <= 1) return <span class="dc muted" data-dc={dc}>{dc}</span>;
  return (
    <label class="dc">
      <span class="sr-only">Datacenter</span>
      <select
        value={dc}
        aria-label="Datacenter"
        onChange={(e) => {
          const next = (e.target as HTMLSelectElement).value;
          const listView: Route =
            route.view === 'service' ? { view: 'services', dc: next, filter: '', tag: '' } : route.view === 'node' ? { view: 'nodes', dc: next, filter: '' } : { ...route, dc: next };
          navigate(href(listView));
        }}
      >
        {list.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
    </label>
  );
}

function AgentBanner() {
  const { lost } = useAgentLost();
  if (!lost) return null;
  return (
    <div class="banner" role="alert" data-agent-lost>
      <strong>Agent unreachable.</strong> No answer from the agent at {location.host}; retrying. The page shows the last data received and updates again when the agent is back.
    </div>
  );
}
