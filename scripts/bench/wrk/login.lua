-- POST /login as alice: bounded by the password hash.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
wrk.method = "POST"
wrk.path = "/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"alice","password":"password"}'
