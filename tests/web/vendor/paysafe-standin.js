// A stand-in for Paysafe.js with the same interface (paysafe.fields.setup / instance.tokenize), for
// the browser tests only: they serve it in place of https://hosted.paysafe.com/..., which cannot
// be reached here. It draws plain inputs where Paysafe draws its iframes.
(function () {
  "use strict";
  var names = { cardNumber: "Card number", expiryDate: "Expiry date", cvv: "Security code" };
  window.paysafe = {
    fields: {
      setup: function (apiKey, options, callback) {
        Object.keys(options.fields).forEach(function (name) {
          var box = document.querySelector(options.fields[name].selector);
          var input = document.createElement("input");
          input.setAttribute("aria-label", names[name]);
          input.setAttribute("data-field", name);
          box.appendChild(input);
        });
        var instance = {
          tokenize: function (done) {
            var number = document.querySelector('[data-field="cardNumber"]').value.replace(/\s/g, "");
            if (number.length < 12) {
              done(instance, { displayMessage: "The card number is incomplete." });
              return;
            }
            done(instance, null, { token: "SUT-" + apiKey.length + "-" + number.slice(-4) });
          }
        };
        callback(instance, null);
      }
    }
  };
})();
