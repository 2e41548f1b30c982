export function App() {
  return (
    <main>
      <h1>Raftboard</h1>
      <p>
        A desktop task manager whose data lives in a Raft cluster on your own machine. This is a
        placeholder: the window (the task board and the cluster control room) arrives with the
        desktop-app issue.
      </p>
    </main>
  );
}
