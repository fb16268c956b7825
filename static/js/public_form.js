// The public form: the consent sentence names the audience the resident chose.
(function () {
  "use strict";
  var target = document.querySelector(".consent-audience");
  if (!target) { return; }
  var radios = document.querySelectorAll('input[name="visibility"]');
  function update() {
    var chosen = document.querySelector('input[name="visibility"]:checked');
    var text = chosen ? target.getAttribute("data-" + chosen.value) : null;
    target.textContent = text || target.getAttribute("data-none");
  }
  for (var i = 0; i < radios.length; i++) { radios[i].addEventListener("change", update); }
  update();
}());
