import json, sys, urllib.request
base = sys.argv[1]
def req(method, path, body=None, token=None):
    r = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    r.add_header("Content-Type", "application/json")
    if token: r.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(r) as f:
        return json.load(f)
tok = req("POST", "/api/auth/login/", {"username": "demo@example.com", "password": "demo"})["token"]
makes = ["SEAT", "CUPRA", "Toyota", "Kia", "Renault"]
cars = []
for i in range(60):
    d = req("POST", "/dealers/1/cars", {"make": makes[i % 5], "model": "Model %d" % i, "license_plate": "%04dBCD" % i, "vin": "VSS%014d" % i,
        "year": 2020 + i % 5, "mileage": 1000 * i, "images": ["a.jpg"], "custom": "c%d" % i,
        "prices": {"retail": {"current_price": {"price": 15000 + i}}}}, tok)
    cars.append(d["_id"])
for i in range(300):
    req("POST", "/dealers/1/saleleads", {"car_list": [{"car_id": cars[i % 60], "car": {"make": makes[i % 5], "model": "Model %d" % (i % 60)}}]}, tok)
print("seeded", len(cars), "cars, 300 saleleads")
