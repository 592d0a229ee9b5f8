"""Links to the production chain: OSC, HTTP automations (webhooks), OBS, and the status of each."""
