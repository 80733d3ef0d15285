/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wlisten.c — a Windows program for the Wine smoke test that holds a TCP
 * listener and does I/O on it (connects to itself, sends and receives), so Wine
 * reports its real pid as the owner; as a service it does the same from
 * ServiceMain.
 *   wlisten.exe listen PORT          until stdin closes
 *   wlisten.exe service NAME PORT    run by the service manager (sc create/start)
 */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>

static SERVICE_STATUS_HANDLE status_h;
static SERVICE_STATUS status = {.dwServiceType = SERVICE_WIN32_OWN_PROCESS,
				.dwCurrentState = SERVICE_START_PENDING};
static HANDLE stop_ev;
static int port;
static char svc_name[64];

/* A listener on 127.0.0.1:p that has served one connection from itself. INVALID_SOCKET on error. */
static SOCKET hold(int p)
{
	WSADATA wsa;
	if (WSAStartup(MAKEWORD(2, 2), &wsa))
		return INVALID_SOCKET;
	SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((u_short)p)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l == INVALID_SOCKET || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4))
		return INVALID_SOCKET;
	SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (c == INVALID_SOCKET || connect(c, (struct sockaddr *)&a, sizeof a))
		return INVALID_SOCKET;
	SOCKET s = accept(l, NULL, NULL);
	char buf[8];
	if (s == INVALID_SOCKET || send(c, "ping", 4, 0) != 4 || recv(s, buf, sizeof buf, 0) != 4)
		return INVALID_SOCKET;
	/* Wine hands a socket's Unix descriptor to the process on I/O calls made on it; the
	   table's owner is the process that holds that descriptor (else Wine says pid 0) */
	int len = sizeof a;
	u_long avail = 0;
	if (getsockname(l, (struct sockaddr *)&a, &len) || ioctlsocket(l, FIONREAD, &avail))
		return INVALID_SOCKET;
	closesocket(s);
	closesocket(c);
	return l;
}

static DWORD WINAPI on_control(DWORD ctl, DWORD type, void *data, void *ctx)
{
	(void)type, (void)data, (void)ctx;
	if (ctl == SERVICE_CONTROL_STOP) {
		status.dwCurrentState = SERVICE_STOP_PENDING;
		SetServiceStatus(status_h, &status);
		SetEvent(stop_ev);
	}
	return NO_ERROR;
}

static void WINAPI service_main(DWORD argc, LPSTR *argv)
{
	(void)argc, (void)argv;
	status_h = RegisterServiceCtrlHandlerExA(svc_name, on_control, NULL);
	stop_ev = CreateEventA(NULL, TRUE, FALSE, NULL);
	SOCKET l = hold(port);
	status.dwControlsAccepted = SERVICE_ACCEPT_STOP;
	status.dwCurrentState = l == INVALID_SOCKET ? SERVICE_STOPPED : SERVICE_RUNNING;
	status.dwWin32ExitCode = l == INVALID_SOCKET ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
	SetServiceStatus(status_h, &status);
	if (l == INVALID_SOCKET)
		return;
	WaitForSingleObject(stop_ev, INFINITE);
	closesocket(l);
	status.dwCurrentState = SERVICE_STOPPED;
	SetServiceStatus(status_h, &status);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "listen")) {
		SOCKET l = hold(atoi(argv[2]));
		if (l == INVALID_SOCKET)
			return 1;
		printf("ready %lu\n", GetCurrentProcessId());
		fflush(stdout);
		while (getchar() != EOF)
			;
		closesocket(l);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "service")) {
		snprintf(svc_name, sizeof svc_name, "%s", argv[2]);
		port = atoi(argv[3]);
		SERVICE_TABLE_ENTRYA t[] = {{svc_name, service_main}, {NULL, NULL}};
		return StartServiceCtrlDispatcherA(t) ? 0 : 1;
	}
	fprintf(stderr, "usage: wlisten listen PORT | wlisten service NAME PORT\n");
	return 2;
}
