// The console's script. Pages work without it; it only adds to them.
"use strict";
