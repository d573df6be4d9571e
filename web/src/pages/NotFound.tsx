/** An address the UI has no page for. */
export function NotFound() {
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>Page not found</h1>
        <p>
          <a href="ui">Go to Ticketry</a>
        </p>
      </div>
    </main>
  );
}
