# Types for the part of APScheduler 3 this project uses (the package ships none).
