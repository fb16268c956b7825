// Photo gallery of a story: thumbnails are links (work without script); with script they
// swap the large image in place. Arrow keys move between thumbnails; focus stays visible.
(function () {
  "use strict";
  document.querySelectorAll("[data-gallery]").forEach(function (gallery) {
    var image = gallery.querySelector(".gallery__image");
    var caption = gallery.querySelector("figcaption");
    var thumbs = Array.prototype.slice.call(gallery.querySelectorAll(".gallery__thumb"));
    function show(index) {
      var thumb = thumbs[index];
      image.src = thumb.getAttribute("data-full");
      image.alt = thumb.getAttribute("data-alt");
      image.removeAttribute("width");
      image.removeAttribute("height");
      caption.textContent = thumb.getAttribute("data-caption");
      thumbs.forEach(function (t) { t.removeAttribute("aria-current"); });
      thumb.setAttribute("aria-current", "true");
    }
    thumbs.forEach(function (thumb, index) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        show(index);
      });
      thumb.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = (index + 1) % thumbs.length; }
        if (event.key === "ArrowLeft") { next = (index - 1 + thumbs.length) % thumbs.length; }
        if (next !== null) {
          event.preventDefault();
          thumbs[next].focus();
          show(next);
        }
      });
    });
  });
})();
