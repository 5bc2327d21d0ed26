-- wrk script for scripts/bench: POST the SML document's "Lead complejo"
-- (@TOKEN@ and @LOCATION@ are filled in by the script).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token @TOKEN@"
wrk.body = [[{"client":{"name":"Cliente de Ejemplo","phone":"666777888","email":"user@example.com","province":28,"location":@LOCATION@},"vehicle":{"brand_model":"Vehículo de prueba","price":"10000","km":"120000","year":2008,"gas":1},"note":[{"content":"Nota de prueba"}],"status":"new","score":"1","tags":[{"content":"Etiqueta de ejemplo"}],"source":1,"request":{"task":[{"type":"appraisal","subtype":"subtipo de ejemplo","description":"descripción de ejemplo","media":"Whatsapp","planified_realization_date":"2019-05-09T09:59:07.617Z","planified_tracking_date":"2019-05-09T09:59:07.617Z","realization_date_check":false,"tracking_date_check":false,"note":[{"content":"nota en tarea de ejemplo"}],"appraisal":{"brand_model":"marca del vehículo tasado","license_plate":"8888JJJ","km":"100000","year":2010,"gas":1,"extras":"todos los extras incluidos","origin":"national"}}]}}]]
done = function(summary, latency, requests)
  io.write(string.format("non-2xx=%d p50=%.2fms p90=%.2fms p99=%.2fms\n", summary.errors.status,
    latency:percentile(50)/1000, latency:percentile(90)/1000, latency:percentile(99)/1000))
end
