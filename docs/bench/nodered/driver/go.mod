module nrdriver

go 1.26.8
