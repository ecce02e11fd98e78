/**
 * The cluster: Raft leader (/v1/status/leader), Raft peers (/v1/operator/raft/configuration,
 * shown as not available where the agent lacks it) and gossip members (/v1/agent/members).
 * None of these block, so they are polled.
 */
import { ConsulError, memberStatusString } from '@proconsul/api';
import { describeError, ErrorNote, Loading, PageTitle } from '../components/Bits.js';
import { useSession } from '../client.js';
import { plain, useLive } from '../data/live.js';

const POLL_MS = 3_000;

function raftUnavailable(err: unknown): boolean {
  return err instanceof ConsulError && (err.statusCode === 404 || err.statusCode === 405 || err.statusCode === 501);
}

export function Cluster() {
  const { consul, dc } = useSession();
  const leader = useLive(plain((signal) => consul.status.leader({ signal })), [consul], { pollMs: POLL_MS });
  const raft = useLive(plain((signal) => consul.operator.raftGetConfiguration({ signal })), [consul], { pollMs: POLL_MS });
  const peers = useLive(raftUnavailable(raft.error) ? plain((signal) => consul.status.peers({ signal })) : null, [consul, raftUnavailable(raft.error)], { pollMs: POLL_MS });
  const members = useLive(plain((signal) => consul.agent.members({ signal })), [consul], { pollMs: POLL_MS });

  return (
    <section>
      <PageTitle sub={`Datacenter ${dc}`}>Cluster</PageTitle>

      <h2>Leader</h2>
      {leader.loading ? <Loading what="leader" /> : null}
      {leader.error ? <ErrorNote error={leader.error} /> : null}
      {leader.data !== undefined ? (
        leader.data ? (
          <p class="mono" data-leader>
            {leader.data}
          </p>
        ) : (
          <p class="note note-error" data-leader="">
            No cluster leader.
          </p>
        )
      ) : null}

      <h2>Raft peers</h2>
      {raft.loading ? <Loading what="Raft configuration" /> : null}
      {raft.error && raftUnavailable(raft.error) ? (
        <p class="note" data-raft-unavailable>
          Raft peer details (voter, state) are not available from this agent (/v1/operator/raft/configuration: {describeError(raft.error)}).
          {peers.data ? (
            <>
              {' '}
              Peers from /v1/status/peers: <span class="mono" data-status-peers>{peers.data.join(', ') || 'none'}</span>
            </>
          ) : null}
        </p>
      ) : (
        <ErrorNote error={raft.error} />
      )}
      {raft.data && !raft.error ? (
        <table class="table" aria-label="Raft peers">
          <thead>
            <tr>
              <th>Node</th>
              <th>ID</th>
              <th>Address</th>
              <th>State</th>
              <th>Voter</th>
            </tr>
          </thead>
          <tbody>
            {raft.data.Servers.map((s) => (
              <tr key={s.ID} data-peer={s.Node}>
                <td>{s.Node}</td>
                <td class="mono small">{s.ID}</td>
                <td class="mono">{s.Address}</td>
                <td>{s.Leader ? <strong>leader</strong> : 'follower'}</td>
                <td>{s.Voter ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Gossip members</h2>
      {members.loading ? <Loading what="members" /> : null}
      <ErrorNote error={members.error} />
      {members.data ? (
        <table class="table" aria-label="gossip members">
          <thead>
            <tr>
              <th>Node</th>
              <th>Address</th>
              <th>Status</th>
              <th>Type</th>
              <th>Build</th>
              <th>DC</th>
            </tr>
          </thead>
          <tbody>
            {[...members.data]
              .sort((a, b) => a.Name.localeCompare(b.Name))
              .map((m) => {
                const status = memberStatusString(m.Status);
                return (
                  <tr key={m.Name} data-member={m.Name}>
                    <td>{m.Name}</td>
                    <td class="mono">{`${m.Addr}:${m.Port}`}</td>
                    <td>
                      <span class={`badge badge-${status === 'alive' ? 'passing' : status === 'failed' ? 'critical' : 'warning'}`} data-status={status}>
                        <span class="dot" aria-hidden="true" />
                        {status}
                      </span>
                    </td>
                    <td>{m.Tags['role'] === 'consul' ? 'server' : 'client'}</td>
                    <td class="small">{(m.Tags['build'] ?? '').split(':')[0]}</td>
                    <td>{m.Tags['dc'] ?? ''}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
