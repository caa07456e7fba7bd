// Checkout: one submission per page (a double click pays once anyway: the form carries an
// idempotency key), and, when enabled, Paysafe.js hosted card fields that turn a new card into a
// single-use token in the browser, so card numbers never reach our server.
(function () {
  "use strict";
  var form = document.getElementById("checkout");
  if (!form) return;
  var button = document.getElementById("pay");
  var sent = false;
  var fields = null;
  var key = form.getAttribute("data-paysafe-key");

  function choice() {
    var checked = form.querySelector('input[name="payment"]:checked');
    return checked ? checked.value : "";
  }

  function showError(text) {
    var box = document.getElementById("card-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  if (key && window.paysafe === undefined) {
    window.addEventListener("load", setUp);
  } else if (key) {
    setUp();
  }

  function setUp() {
    if (!window.paysafe) { showError(form.getAttribute("data-unavailable") || "Card entry is unavailable."); return; }
    window.paysafe.fields.setup(key, {
      environment: form.getAttribute("data-paysafe-environment") || "TEST",
      fields: {
        cardNumber: { selector: "#card-number" },
        expiryDate: { selector: "#expiry-date" },
        cvv: { selector: "#cvv" }
      }
    }, function (instance, error) {
      if (error) { showError(error.detailedMessage || error.displayMessage || ""); return; }
      fields = instance;
    });
  }

  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    if (choice() === "new") {
      event.preventDefault();
      if (!fields) return;
      button.disabled = true;
      fields.tokenize(function (instance, error, result) {
        if (error) {
          button.disabled = false;
          showError(error.displayMessage || error.detailedMessage || "");
          return;
        }
        form.querySelector('input[name="single_use_token"]').value = result.token;
        sent = true;
        form.submit();
      });
      return;
    }
    sent = true;
    button.disabled = true;
  });
})();
