"""Links to the production chain: OBS Studio, OSC, HTTP automations (webhooks), and the status of each."""
