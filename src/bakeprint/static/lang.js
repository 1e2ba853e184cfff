// The public scan page's language links also remember the choice in a
// cookie (an external script: the Content-Security-Policy runs no inline one).
document.querySelectorAll("a[data-lang]").forEach((link) => {
  link.addEventListener("click", () => {
    document.cookie = "lang=" + link.dataset.lang + ";path=/;samesite=lax";
  });
});
