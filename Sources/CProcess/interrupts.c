#include "cprocess.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t first_interrupt_signal = 0;

static void record_interrupt(int signal_number) {
    if (first_interrupt_signal == 0) {
        first_interrupt_signal = signal_number;
    }
}

int cprocess_install_interrupt_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = record_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;

    const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (unsigned index = 0; index < sizeof(signals) / sizeof(signals[0]); index++) {
        if (sigaction(signals[index], &action, NULL) != 0) {
            return -1;
        }
    }
    return 0;
}

int cprocess_interrupt_signal(void) {
    return first_interrupt_signal;
}
