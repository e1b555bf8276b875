/* global document */
// Progressive enhancement only: every page works without this script.
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    // After a failed submit, move focus to the error summary so screen readers announce it.
    var summary = document.querySelector('[data-focus]');
    if (summary) summary.focus();
  });
})();
