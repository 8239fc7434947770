// Entry point for static/vendor/fullcalendar.js: exposes window.FullCalendar.
// FullCalendar 6 injects its own CSS at runtime; no stylesheet is needed.
import * as core from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import timeGridPlugin from '@fullcalendar/timegrid';
import listPlugin from '@fullcalendar/list';

// Registered globally, so `new FullCalendar.Calendar(el, {initialView:
// 'timeGridWeek'})` works without passing `plugins`.
core.globalPlugins.push(dayGridPlugin, timeGridPlugin, listPlugin);

window.FullCalendar = {
  ...core,
  dayGridPlugin,
  timeGridPlugin,
  listPlugin,
};
