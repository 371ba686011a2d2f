"""The problem register (问题反馈): anyone raises a problem, the manager triages it, the owner fixes it
for good, an effectiveness check closes it and the result is reported back. Comebacks (返修) are a
kind of problem."""
