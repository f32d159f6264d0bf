"""Conformance: Microsoft's Python SDK (azure-mgmt-containerinstance from Debian's
python3-azure) drives frankenetes-sim over HTTPS, trusting the sim's CA.

usage: /usr/bin/python3 aci_conformance.py <path to frankenetes-sim>
"""
import sys
import os
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim_harness import Sim, SimCredential, eventually, require  # noqa: E402

require("azure.mgmt.containerinstance")

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.mgmt.containerinstance import ContainerInstanceManagementClient  # noqa: E402
from azure.mgmt.containerinstance.models import (  # noqa: E402
    Container, ContainerGroup, ContainerPort, IpAddress, Port, ResourceRequests, ResourceRequirements)

SUB = "00000000-0000-0000-0000-000000000001"
RG = "frankenetes"
SCENARIO = """
subscriptionId: 00000000-0000-0000-0000-000000000001
tenantId: 00000000-0000-0000-0000-0000000000aa
credentials: {clientId: frankenetes-demo}
resourceGroups: [frankenetes, other]
mode: virtual
arm: {pageSize: 2}
"""
POLL = {"polling_interval": 0.05}


def group(label):
    return ContainerGroup(
        location="westeurope",
        os_type="Linux",
        restart_policy="Always",
        containers=[Container(
            name="app", image="nginx:1.25",
            command=["nginx", "-g", "daemon off;"],
            ports=[ContainerPort(port=80)],
            resources=ResourceRequirements(requests=ResourceRequests(cpu=1.0, memory_in_gb=1.5)))],
        ip_address=IpAddress(type="Public", ports=[Port(protocol="TCP", port=80)], dns_name_label=label),
        tags={"owner": "conformance"})


def main():
    binary = sys.argv[1]
    sim = Sim(binary, SCENARIO, ["--time-scale", "0.05"])
    ok = False
    try:
        cred = SimCredential(sim.endpoints)
        client = ContainerInstanceManagementClient(
            cred, SUB, base_url=sim.endpoints["armBaseUrl"], connection_verify=sim.endpoints["caFile"])
        cg = client.container_groups

        # create_or_update: 201 Pending + Azure-AsyncOperation, poller to completion.
        poller = cg.begin_create_or_update(RG, "conf-a", group("conf-a"), **POLL)
        created = poller.result(timeout=30)
        assert poller.done()
        assert created.provisioning_state == "Succeeded", created.provisioning_state
        assert created.ip_address.ip.startswith("127."), created.ip_address.ip
        assert created.ip_address.fqdn == "conf-a.westeurope.azurecontainer.io", created.ip_address.fqdn
        assert created.tags == {"owner": "conformance"}

        # get: instance view parsed.
        got = cg.get(RG, "conf-a")
        assert got.instance_view.state == "Running", got.instance_view.state
        iv = got.containers[0].instance_view
        assert iv.restart_count == 0 and iv.current_state.state == "Running", iv
        assert [e.name for e in iv.events][:2] == ["Pulling", "Pulled"], [e.name for e in iv.events]

        # a crash loop is visible through the SDK
        sim.control("POST", "/groups/frankenetes/conf-a/containers/app/crash", {"always": True, "exitCode": 1})
        crashed = cg.get(RG, "conf-a").containers[0].instance_view
        assert crashed.current_state.state == "Waiting"
        assert crashed.current_state.detail_status.startswith("CrashLoopBackOff"), crashed.current_state.detail_status
        assert crashed.previous_state.exit_code == 1
        assert eventually(lambda: cg.get(RG, "conf-a").containers[0].instance_view.restart_count >= 2, 15)
        sim.control("DELETE", "/groups/frankenetes/conf-a/containers/app/crash")

        # list and list_by_resource_group across pages (page size 2).
        for name in ("conf-b", "conf-c", "conf-d"):
            cg.begin_create_or_update(RG, name, group(name), **POLL).result(timeout=30)
        cg.begin_create_or_update("other", "conf-x", group("conf-x"), **POLL).result(timeout=30)
        by_rg = [g.name for g in cg.list_by_resource_group(RG)]
        assert sorted(by_rg) == ["conf-a", "conf-b", "conf-c", "conf-d"], by_rg
        everything = list(cg.list())
        assert sorted(g.name for g in everything) == ["conf-a", "conf-b", "conf-c", "conf-d", "conf-x"]
        assert all(g.instance_view is None for g in everything), "LIST never carries instanceView"
        pages = sim.control("GET", "/requests?api=arm&operation=list&method=GET")["count"]
        assert pages == 2 + 3, f"expected 2 + 3 pages, saw {pages} list requests"

        # restart keeps the IP.
        ip = cg.get(RG, "conf-b").ip_address.ip
        cg.begin_restart(RG, "conf-b", **POLL).result(timeout=30)
        assert cg.get(RG, "conf-b").ip_address.ip == ip

        # stop: 204, group Stopped; restart now fails with ACI's message.
        cg.stop(RG, "conf-b")
        assert cg.get(RG, "conf-b").instance_view.state == "Stopped"
        try:
            cg.begin_restart(RG, "conf-b", **POLL).result(timeout=30)
            raise AssertionError("restart of a stopped group must fail")
        except HttpResponseError as e:
            assert "is stopped" in str(e), str(e)

        # start: 202 + async; running again on a new IP.
        cg.begin_start(RG, "conf-b", **POLL).result(timeout=30)
        started = cg.get(RG, "conf-b")
        assert started.instance_view.state == "Running", started.instance_view.state
        assert started.ip_address.ip != ip, "stop/start gives a new IP"
        # start on a running group: 204, nothing to poll.
        cg.begin_start(RG, "conf-b", **POLL).result(timeout=30)

        # container logs
        logs = client.containers.list_logs(RG, "conf-a", "app", tail=10)
        assert isinstance(logs.content, str)

        # delete: 202 + async, then 404.
        cg.begin_delete(RG, "conf-c", **POLL).result(timeout=30)
        try:
            cg.get(RG, "conf-c")
            raise AssertionError("deleted group still found")
        except ResourceNotFoundError:
            pass
        # deleting an absent group: 204.
        cg.begin_delete(RG, "conf-c", **POLL).result(timeout=30)

        # an explicit newer api-version works too
        client2 = ContainerInstanceManagementClient(
            cred, SUB, base_url=sim.endpoints["armBaseUrl"], connection_verify=sim.endpoints["caFile"],
            api_version="2023-05-01")
        assert client2.container_groups.get(RG, "conf-a").name == "conf-a"
        ok = True
        print(f"OK: aci conformance passed ({cred.calls} token requests)")
    finally:
        sim.stop(keep=not ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
