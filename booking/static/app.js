// Copy buttons: <button data-copy="input-id"> copies that input's value.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});

// Print buttons.
document.addEventListener("click", (event) => {
  if (event.target.closest("button[data-print]")) window.print();
});

// A board that refreshes itself: fetch the page again and swap in the new board, unless
// someone is using a control on it at that moment.
const board = document.querySelector("[data-refresh]");
if (board) {
  const every = Number(board.dataset.refresh) * 1000;
  setInterval(async () => {
    const active = document.activeElement;
    if (active && active !== document.body && board.contains(active)) return;
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-refresh]");
    if (fresh) board.replaceWith(fresh);
  }, every);
}
