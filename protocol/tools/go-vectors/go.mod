module portableplugins.local/govectors

go 1.22
