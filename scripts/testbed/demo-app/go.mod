module aiops.local/demo-app

go 1.26
