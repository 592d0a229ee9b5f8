"""Links from runofshow to the production chain (OBS Studio, OSC, HTTP automations)."""
