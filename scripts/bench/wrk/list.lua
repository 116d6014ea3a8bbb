-- GET /documents: the first page of 100, anonymous.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
wrk.path = "/documents"
