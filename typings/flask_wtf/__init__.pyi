# Types for the part of Flask-WTF this project uses (the package ships none).
from flask_wtf.csrf import CSRFProtect as CSRFProtect
from flask_wtf.form import FlaskForm as FlaskForm
