/** The nodes as the lesson sees them: enough to follow a step without leaving the tab. */
import { useCluster } from '../store/context.js';

export function LiveNodes() {
  const status = useCluster((s) => s.status);
  if (status === null) return <p role="status">Reading the cluster status…</p>;
  return (
    <table className="live-nodes" aria-label="Live cluster">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Process</th>
          <th scope="col">Role</th>
          <th scope="col">Term</th>
          <th scope="col">Commit</th>
          <th scope="col">Last</th>
        </tr>
      </thead>
      <tbody>
        {status.nodes.map((n) => (
          <tr key={n.id} className={n.status === 'running' ? `role-${n.role}` : 'down'}>
            <th scope="row">{n.id}</th>
            <td>{n.status}</td>
            <td>{n.status === 'running' ? n.role : '—'}</td>
            <td>{n.term}</td>
            <td>{n.commitIndex}</td>
            <td>{n.lastLogIndex}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
