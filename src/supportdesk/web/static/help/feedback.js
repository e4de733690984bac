// "Was this helpful?" without a page reload. Progressive enhancement only: without this
// script the form posts to the page and the server redirects back with a thank-you.
const form = document.querySelector(".feedback form[data-api]");

if (form) {
  const thanks = form.parentElement.querySelector(".thanks");
  const error = form.querySelector(".error");
  const shown = form.elements.namedItem("shown").value;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const helpful = event.submitter?.value === "yes";
    const comment = form.elements.namedItem("comment").value;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    error.hidden = true;
    try {
      const response = await fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ locale: shown, helpful, comment }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      form.hidden = true;
      thanks.hidden = false;
      thanks.tabIndex = -1;
      thanks.focus();
    } catch {
      error.hidden = false;
      buttons.forEach((button) => { button.disabled = false; });
    }
  });
}
