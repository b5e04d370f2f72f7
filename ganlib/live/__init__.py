"""The game, live: a dashboard that trains a GAN in a background thread while the reader moves its controls.

- frame: one picture's numbers (`LiveFrame`); curves: the whole run's, thinned, and values measured per frame
- capture: frames computed in a process of their own; feed: frames made or asked for, and what they measured
- wire, view (+ view.js): a frame packed as binary numbers and drawn by the browser on canvases
- renderer: a frame drawn as PNG, redrawing only what changed: the still figure when headless
- controls: the sliders, drop-downs and buttons; drawing: data the reader draws on the 2D view
- readout, alarms: the words and numbers beside the picture, and warnings when the game goes wrong
- pacing: when the next frame is due, and how many steps fit before it
- worker: the training thread and the frame thread; training, showing: what each does for a dashboard
- dashboard: the widget that ties them to a running trainer; challenges: goals checked from its record
- notebook: `live()`, the notebook's one call, live in JupyterLab or still when headless
"""

from ganlib.live.dashboard import Dashboard
from ganlib.live.frame import LiveFrame, capture_frame
from ganlib.live.notebook import frontend_present, live
from ganlib.recipes import live_trainer

__all__ = ["Dashboard", "LiveFrame", "capture_frame", "frontend_present", "live", "live_trainer"]
